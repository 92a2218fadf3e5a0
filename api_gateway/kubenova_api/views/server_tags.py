"""Server tag bodies (2.26)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def tags(items: Iterable[str]) -> dict[str, Any]:
    return {"tags": list(items)}
