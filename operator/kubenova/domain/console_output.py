"""Nova's ``os-getConsoleOutput`` rules on a console log: how much of it, and what is stripped.

``length`` (``schemas/console_output.py``: integer or integer string >= -1, or null) reaches the
compute manager's ``_tail_log`` unchanged: ``None`` is the whole log, 0 nothing, and any other
``n`` is ``log.split('\\n')[-n:]`` joined again — so -1 drops the first line, Nova's documented
"-1 means unlimited" notwithstanding (its TODO says the conversion was never done). The manager
decodes the driver's bytes as ASCII with replacement, and the API removes control characters
other than tab, newline ... (``[\\x00-\\x08\\x0B-\\x1F]``). libvirt's driver returns at most the last
100 KiB of the log (``MAX_CONSOLE_BYTES``).
"""

from __future__ import annotations

import re

MAX_CONSOLE_BYTES = 100 * 1024
"""The libvirt driver's cap: only the log's last 100 KiB are returned."""
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")


def lines_to_fetch(length: int | None) -> int | None:
    """How many trailing lines of the log the answer can need (``None``: all of it)."""
    if length is None or length < 0:
        return None
    return length


def tail(log: str, length: int | None) -> str:
    """The compute manager's ``_tail_log``."""
    if length is None:
        return log
    if length == 0:
        return ""
    return "\n".join(log.split("\n")[-length:])


def render(log: str, length: int | None) -> str:
    """What ``{"output": ...}`` carries for ``log`` and the request's ``length``."""
    data = log.encode("utf-8", "replace")[-MAX_CONSOLE_BYTES:]
    text = data.decode("ascii", "replace")
    return _CONTROL.sub("", tail(text, length))
