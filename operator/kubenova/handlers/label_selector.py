"""Pure: whether labels match a Kubernetes label selector string (``a=b,c!=d,e in (x,y),!f``).

The Nodes come from a watch of all Nodes, so ``KUBENOVA_COMPUTE_NODE_SELECTOR`` is applied here
rather than by the API server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_SET = re.compile(r"^\s*([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def requirements(selector: str) -> list[str]:
    """The comma-separated requirements, keeping the commas inside ``in (...)`` sets."""
    parts, depth, current = [], 0, ""
    for char in selector:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def matches(selector: str, labels: Mapping[str, str]) -> bool:
    """Whether ``labels`` satisfy every requirement of ``selector`` (empty: everything matches)."""
    return all(_satisfied(requirement, labels) for requirement in requirements(selector))


def _satisfied(requirement: str, labels: Mapping[str, str]) -> bool:
    in_set = _SET.match(requirement)
    if in_set:
        key, operator, values = in_set.groups()
        members = {v.strip() for v in values.split(",")}
        found = key in labels and labels[key] in members
        return found if operator == "in" else not found
    for operator in ("!=", "==", "="):
        key, sep, value = requirement.partition(operator)
        if sep:
            equal = labels.get(key.strip()) == value.strip()
            return not equal if operator == "!=" else equal
    if requirement.startswith("!"):
        return requirement[1:].strip() not in labels
    return requirement in labels
