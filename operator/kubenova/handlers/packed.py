"""Index values kept small: an object as compact JSON, parsed again when a handler reads it.

A parsed KubeVirt model costs about eight times its compact JSON (each nested pydantic model has
its own ``__dict__``, fields-set and extras; README "Operator memory" has the figures), and the
operator keeps a VM, a VMI and DataVolumes for every Server, but reads them only by key, a few at a
time (``ClusterView.vm``/``vmi``/``data_volumes``). So their indexes hold ``Packed`` values: the
object's JSON without ``metadata.managedFields`` (which no handler reads; the API server's field
ownership makes it the largest part of a watched object) plus the uid and resourceVersion the view
compares copies by.
The most recently parsed values are kept (``RECENT``), the index function's own parse first, so
the handler an event runs reads the model that event's body gave, without parsing it again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Generic, TypeVar

_V = TypeVar("_V")
RECENT = 256
"""Parsed values kept, most recently used last (the objects of the Servers being worked on)."""
_recent: dict[Packed[Any], Any] = {}


def without_managed_fields(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` (not changed: kopf's copy) without ``metadata.managedFields``."""
    meta = body.get("metadata")
    if not isinstance(meta, dict) or "managedFields" not in meta:
        return body
    return {**body, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}


class Packed(Generic[_V]):
    """One watched object, as compact JSON; ``value()`` parses it (with ``parse``) when read."""

    __slots__ = ("_data", "_parse", "resource_version", "uid")

    def __init__(self, body: dict[str, Any], parse: Callable[[dict[str, Any]], _V], value: _V) -> None:
        meta = body.get("metadata") or {}
        self.uid: str | None = meta.get("uid")
        self.resource_version: str | None = meta.get("resourceVersion")
        self._data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        self._parse = parse
        _remember(self, value)

    def value(self) -> _V:
        """The parsed object (the same one while it is among the ``RECENT``)."""
        found: _V | None = _recent.pop(self, None)
        if found is None:
            found = self._parse(json.loads(self._data))
        _remember(self, found)
        return found


def _remember(packed: Packed[Any], value: object) -> None:
    _recent[packed] = value
    if len(_recent) > RECENT:
        del _recent[next(iter(_recent))]


def unpacked(found: Packed[_V] | _V) -> _V:
    """An index value as handlers read it (values put in the view parsed, and None, stay as they are)."""
    return found.value() if isinstance(found, Packed) else found
