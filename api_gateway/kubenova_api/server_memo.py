"""What a list request derives from one cached Server, remembered for as long as that Server is.

The watch cache parses each version of a Server into a new object and never changes it afterwards
(nothing in the gateway assigns to a cached model), so whatever is computed from the Server alone
(its sort keys, its shown vm/task state, its rendered list item for one set of other inputs) can
be computed once per object. A memo is keyed by the object's identity and checked against its
``metadata.resourceVersion``; it lives as long as the object: when the cache replaces the Server
(a newer version) or drops it (deleted, a relist without it), the object is freed and a weak
reference's callback drops the memo with it. A new version therefore starts from an empty memo.

Two kinds of entries:

* ``value(server, name, compute)``: one derived value of the Server alone (``compute(server)``
  must read nothing else: no other object, no clock);
* ``view(server, key, render)``: a rendering that also depends on other inputs, all of them
  hashed into ``key`` by the caller (``views.server_list_json``); at most ``VIEWS_PER_SERVER``
  keys per Server are kept (the oldest goes first).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from kubenova.resources import Server

V = TypeVar("V")

VIEWS_PER_SERVER = 3
"""Renderings kept per Server (e.g. three microversions or roles listing the same project)."""


class _Memo(weakref.ref):  # type: ignore[type-arg]
    """A weak reference to one Server holding what was derived from it (one GC-tracked object
    per Server, plus its two dicts: the fewer long-lived objects, the cheaper a full collection)."""

    __slots__ = ("key", "rv", "values", "views")

    def __new__(cls, server: Server) -> _Memo:
        return super().__new__(cls, server, _drop)

    def __init__(self, server: Server) -> None:  # (``ref.__init__`` only checks its arguments)
        self.key = id(server)
        self.rv = server.metadata.resource_version
        self.values: dict[str, Any] = {}
        self.views: dict[Hashable, bytes] = {}


_MEMOS: dict[int, _Memo] = {}


def _drop(memo: weakref.ref[Any]) -> None:
    """A Server is being freed: forget its memo (unless its slot already holds another's)."""
    assert isinstance(memo, _Memo)
    if _MEMOS.get(memo.key) is memo:
        _MEMOS.pop(memo.key, None)


def _memo(server: Server) -> _Memo:
    memo = _MEMOS.get(id(server))
    if memo is not None and memo() is server and memo.rv == server.metadata.resource_version:
        return memo
    memo = _MEMOS[id(server)] = _Memo(server)
    return memo


def value(server: Server, name: str, compute: Callable[[Server], V]) -> V:
    """``compute(server)``, computed once per Server object and version."""
    values = _memo(server).values
    try:
        return values[name]  # type: ignore[no-any-return]
    except KeyError:
        found = values[name] = compute(server)
        return found


def view(server: Server, key: Hashable, render: Callable[[], bytes]) -> bytes:
    """``render()`` of ``server`` under ``key`` (which must hold every other input it reads)."""
    views = _memo(server).views
    found = views.get(key)
    if found is None:
        found = render()
        if len(views) >= VIEWS_PER_SERVER:
            del views[next(iter(views))]
        views[key] = found
    return found


def stats() -> tuple[int, int]:
    """(Servers with a memo, renderings held): for the benchmark and tests."""
    return len(_MEMOS), sum(len(memo.views) for memo in list(_MEMOS.values()))
