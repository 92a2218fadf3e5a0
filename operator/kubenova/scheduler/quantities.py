"""Kubernetes resource quantities ("500m", "16Gi", "1e3") as numbers the scheduler can add up.

Node allocatable capacity arrives as quantity strings; Nova thinks in vCPUs, MiB of RAM and GiB
of disk. Parsing is exact (``Decimal``) so "0.1" + "0.2" CPUs never drifts, then converted.
Capacity conversions round *down* (never promise what the node cannot give); request
conversions such as swap MiB → GiB round *up* (never under-reserve), as Nova does.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

MIB = 1024**2
GIB = 1024**3

# Binary suffixes (Ki, Mi, ...), decimal SI suffixes (n, u, m, "", k, M, G, ...). "K" is not
# Kubernetes syntax but is a common slip for "k", so it is accepted with the same meaning.
_SUFFIXES: dict[str, Decimal] = {
    "Ki": Decimal(1024),
    "Mi": Decimal(1024**2),
    "Gi": Decimal(1024**3),
    "Ti": Decimal(1024**4),
    "Pi": Decimal(1024**5),
    "Ei": Decimal(1024**6),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal(10**3),
    "K": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "P": Decimal(10**15),
    "E": Decimal(10**18),
}

_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d+\.?\d*|\.\d+))"
    r"(?:(?P<exponent>[eE][+-]?\d+)|(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|K|M|G|T|P|E)?)$"
)


class InvalidQuantityError(ValueError):
    """A string that is not a Kubernetes quantity."""


def parse_quantity(q: str) -> Decimal:
    """The exact value of a quantity string, e.g. ``"1.5Gi"`` → ``Decimal(1610612736)``."""
    match = _QUANTITY.match(q.strip())
    if match is None:
        raise InvalidQuantityError(f"invalid quantity: {q!r}")
    try:
        number = Decimal(match["number"])
        if match["exponent"] is not None:
            return number.scaleb(int(match["exponent"][1:]))
        return number * _SUFFIXES[match["suffix"] or ""]
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise InvalidQuantityError(f"invalid quantity: {q!r}") from exc


def parse_cpu(q: str) -> float:
    """CPU cores of a quantity: ``"2"`` → 2.0, ``"500m"`` → 0.5."""
    return float(parse_quantity(q))


def parse_bytes(q: str) -> int:
    """Bytes of a quantity, rounded up as Kubernetes does: ``"1Ki"`` → 1024, ``"1e3"`` → 1000."""
    return math.ceil(parse_quantity(q))


def bytes_to_mib(n: int) -> int:
    """Whole MiB in ``n`` bytes, rounded down (for capacity)."""
    return n // MIB


def bytes_to_gib(n: int) -> int:
    """Whole GiB in ``n`` bytes, rounded down (for capacity)."""
    return n // GIB


def parse_mib(q: str) -> int:
    """Whole MiB of a memory quantity, rounded down: Node allocatable memory → Nova's memory_mb."""
    return bytes_to_mib(parse_bytes(q))


def parse_gib(q: str) -> int:
    """Whole GiB of a storage quantity, rounded down: Node ephemeral-storage → Nova's disk_gb."""
    return bytes_to_gib(parse_bytes(q))


def mib_to_gib_ceil(mb: int) -> int:
    """GiB needed to hold ``mb`` MiB, rounded up (Nova's ``convert_mb_to_ceil_gb``, for swap)."""
    return -(-mb // 1024) if mb > 0 else 0
