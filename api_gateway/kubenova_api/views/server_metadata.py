"""Server metadata bodies: the whole map, or one item."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def metadata(items: Mapping[str, str]) -> dict[str, Any]:
    return {"metadata": dict(items)}


def meta(key: str, value: str) -> dict[str, Any]:
    return {"meta": {key: value}}
