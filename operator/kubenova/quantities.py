"""Kubernetes resource quantities ("500m", "16Gi", "1e3") as numbers: the one parser.

Used by the scheduler (Node allocatable → Nova's vCPUs, MiB, GiB), the simulator (placement sums)
and the gateway (hypervisor capacity), so all three read a Node the same way. Pure.

Format (``resource.Quantity``): a signed decimal number, then either a binary suffix (Ki, Mi, Gi,
Ti, Pi, Ei), a decimal SI suffix (n, u, m, "", k, M, G, T, P, E) or a decimal exponent (``e3``,
``E-2``). "K" is not Kubernetes syntax but is a common slip for "k" and is read the same way.
Parsing is exact (``Decimal``) so "0.1" + "0.2" CPUs never drifts. Capacity conversions round
*down* (never promise what a node cannot give); request conversions such as swap MiB → GiB round
*up* (never under-reserve), as Nova does.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
MIB = 1024**2
GIB = 1024**3

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

# An exponent is tried before the suffixes, so "12E3" is 12000 and "2E" is 2 exa.
_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d+\.?\d*|\.\d+))"
    r"(?:(?P<exponent>[eE][+-]?\d+)|(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|K|M|G|T|P|E)?)$"
)


class InvalidQuantityError(ValueError):
    """A value that is not a Kubernetes quantity."""


def parse_quantity(q: str | int | float) -> Decimal:
    """The exact value of a quantity, e.g. ``"1.5Gi"`` → ``Decimal(1610612736)``; numbers pass."""
    if isinstance(q, bool) or not isinstance(q, str | int | float):
        raise InvalidQuantityError(f"invalid quantity: {q!r}")
    if not isinstance(q, str):
        return Decimal(str(q))
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


def parse_cpu(q: str | int | float) -> float:
    """CPU cores of a quantity: ``"2"`` → 2.0, ``"500m"`` → 0.5."""
    return float(parse_quantity(q))


def whole_cores(q: str | int | float) -> int:
    """Whole CPU cores, rounded down (capacity): ``"3900m"`` → 3."""
    return math.floor(parse_quantity(q))


def parse_bytes(q: str | int | float) -> int:
    """Bytes of a quantity, rounded up as Kubernetes does: ``"1Ki"`` → 1024, ``"1e3"`` → 1000."""
    return math.ceil(parse_quantity(q))


def bytes_to_mib(n: int) -> int:
    """Whole MiB in ``n`` bytes, rounded down (for capacity)."""
    return n // MIB


def bytes_to_gib(n: int) -> int:
    """Whole GiB in ``n`` bytes, rounded down (for capacity)."""
    return n // GIB


def parse_mib(q: str | int | float) -> int:
    """Whole MiB of a memory quantity, rounded down: Node allocatable memory → Nova's memory_mb."""
    return bytes_to_mib(parse_bytes(q))


def parse_gib(q: str | int | float) -> int:
    """Whole GiB of a storage quantity, rounded down: Node ephemeral-storage → Nova's disk_gb."""
    return bytes_to_gib(parse_bytes(q))


def mib_to_gib_ceil(mb: int) -> int:
    """GiB needed to hold ``mb`` MiB, rounded up (Nova's ``convert_mb_to_ceil_gb``, for swap)."""
    return -(-mb // 1024) if mb > 0 else 0


def or_default(raw: object, parse: Callable[[str], T], default: T) -> T:
    """``parse(raw)``, or ``default`` when ``raw`` is missing or not a quantity (logged)."""
    if raw is None:
        return default
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        log.warning("Ignoring unparsable quantity %r", raw)
        return default
    try:
        return parse(str(raw))
    except ValueError:
        log.warning("Ignoring unparsable quantity %r", raw)
        return default
