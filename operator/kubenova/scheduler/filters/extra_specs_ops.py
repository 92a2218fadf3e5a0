"""The small language of Nova extra-spec values: ``"<in> ssd"``, ``">= 2"``, ``"<or> a <or> b"``.

A required value is either a plain string (exact match) or an operator followed by operands:

- numeric: ``=`` (at least; Nova's historical meaning), ``==``, ``!=``, ``>=``, ``<=``
- string: ``s==``, ``s!=``, ``s<``, ``s<=``, ``s>``, ``s>=``
- ``<in> x`` (x is a substring), ``<all-in> x y`` (every word is a substring),
  ``<or> a <or> b`` (equal to one of the alternatives)

A numeric operator against a non-numeric value does not match (Nova would raise; a typo in
metadata should reject the host, not fail the whole request).
"""

from __future__ import annotations

import operator
from collections.abc import Callable


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def check(value: str, wanted: str) -> bool:
        try:
            return compare(float(value), float(wanted))
        except ValueError:
            return False

    return check


_BINARY: dict[str, Callable[[str, str], bool]] = {
    "=": _numeric(operator.ge),
    "==": _numeric(operator.eq),
    "!=": _numeric(operator.ne),
    ">=": _numeric(operator.ge),
    "<=": _numeric(operator.le),
    "s==": operator.eq,
    "s!=": operator.ne,
    "s<": operator.lt,
    "s<=": operator.le,
    "s>": operator.gt,
    "s>=": operator.ge,
    "<in>": lambda value, wanted: wanted in value,
}


def match(value: str | None, requirement: str) -> bool:
    """Whether ``value`` (from aggregate metadata) satisfies ``requirement`` (a flavor extra spec)."""
    words = requirement.split()
    op = words[0] if words else ""
    operands = words[1:]
    if op not in _BINARY and op not in ("<or>", "<all-in>"):
        return value == requirement
    if value is None or not operands:
        return False
    if op == "<or>":
        # Alternatives are separated by further "<or>" keywords: "<or> a <or> b".
        return value in operands[0::2]
    if op == "<all-in>":
        return all(word in value for word in operands)
    return _BINARY[op](value, operands[0])
