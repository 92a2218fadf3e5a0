"""The in-memory half of an informer: objects by key, kept in resourceVersion order.

Three sources write here: lists (``replace``), watch events (``apply``) and the process's own
writes (``record_write``/``record_delete``, read-your-writes). They may arrive out of order: a
write's answer is usually ahead of the watch, a lagging MODIFIED may follow a DELETED. The rules:

* an object older than the cached one never replaces it;
* a deleted object is remembered (a *tombstone* at the deletion's resourceVersion), so no older
  version of it can come back; a newer one (re-created) can;
* an object that is being deleted without finalizers is as good as gone.

resourceVersions are opaque to clients, but every etcd-backed API server hands out increasing
integers; when either side is not an integer, the later arrival wins. Pure (no I/O); the caller
serialises access (``Informer`` holds a lock).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from kubenova.k8s.errors import JsonObject
from kubenova.k8s.kinds import ObjectKey, object_key, resource_version

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_TOMBSTONES = 10_000
Change = tuple[T | None, T | None]
"""(old, new) of one object; ``new`` is None for a deletion, ``old`` for a creation."""


def _int(rv: str) -> int | None:
    return int(rv) if rv.isdigit() else None


def not_older(candidate: str, current: str) -> bool:
    """Whether resourceVersion ``candidate`` is at least ``current`` (True unless both are integers)."""
    a, b = _int(candidate), _int(current)
    return a is None or b is None or a >= b


def newer(candidate: str, current: str) -> bool:
    """Whether ``candidate`` is strictly newer than ``current`` (True unless both are integers)."""
    a, b = _int(candidate), _int(current)
    return a is None or b is None or a > b


def after(candidate: str, current: str) -> bool:
    """Whether both are integers and ``candidate`` is the later one."""
    a, b = _int(candidate), _int(current)
    return a is not None and b is not None and a > b


def _vanishing(obj: JsonObject) -> bool:
    meta = obj.get("metadata") or {}
    return bool(meta.get("deletionTimestamp")) and not meta.get("finalizers")


@dataclass
class _Entry(Generic[T]):
    rv: str
    value: T


class Cache(Generic[T]):
    """Objects of one collection, parsed by ``parse`` (a ``ValueError`` skips the object).

    Also kept by namespace (``values(namespace)`` reads one namespace without walking the others)
    and, given ``index``, by the key it derives from each object (``indexed(key)``; None: in no
    bucket); ``_put``/``_pop``/``replace`` are the only writers of all three, so they always hold
    the same entries (by namespace in the same relative order; an object whose index key changed
    goes to the end of its new bucket).
    """

    def __init__(
        self,
        parse: Callable[[JsonObject], T],
        name: str = "cache",
        index: Callable[[T], Hashable | None] | None = None,
    ) -> None:
        self._parse = parse
        self._name = name
        self._index = index
        self._entries: dict[ObjectKey, _Entry[T]] = {}
        self._by_namespace: dict[str, dict[ObjectKey, _Entry[T]]] = {}
        self._by_index: dict[Hashable, dict[ObjectKey, _Entry[T]]] = {}
        self._tombstones: OrderedDict[ObjectKey, str] = OrderedDict()

    def get(self, key: ObjectKey) -> T | None:
        entry = self._entries.get(key)
        return entry.value if entry is not None else None

    def values(self, namespace: str | None = None) -> list[T]:
        """Every object, or those of ``namespace`` ("": the cluster-scoped ones), in cache order."""
        entries = self._entries if namespace is None else self._by_namespace.get(namespace, {})
        return [entry.value for entry in entries.values()]

    def indexed(self, value: Hashable) -> list[T]:
        """The objects whose ``index`` key is ``value``."""
        return [entry.value for entry in self._by_index.get(value, {}).values()]

    def __len__(self) -> int:
        return len(self._entries)

    # --- the three sources ---

    def apply(self, event_type: str, obj: JsonObject) -> Change[T] | None:
        """A watch event (ADDED, MODIFIED, DELETED): the change it made, or (current, current) when
        the cache already holds a newer version (an own write was ahead); None if nothing is cached.

        So a handler hears of every event, and never of an older version than it has seen; a
        DELETED event of an object this process already dropped (``record_delete``, or a write that
        removed its last finalizer) is reported as ``(the deleted object, None)``.
        """
        change: Change[T] | None = None
        if event_type == "DELETED":
            change = self._remove(object_key(obj), resource_version(obj))
        elif event_type in ("ADDED", "MODIFIED"):
            change = self._upsert(obj)
        else:
            return None
        if change is None:
            current = self.get(object_key(obj))
            if current is not None:
                return (current, current)
            if event_type == "DELETED":
                # Gone from the cache already (our own write removed its last finalizer, or
                # deleted it): the watch event is still the news that it is gone, and the only
                # one handlers get, since ``record_*`` call none.
                gone = self._parsed(obj)
                return (gone, None) if gone is not None else None
            return None
        return change

    def record_write(self, obj: JsonObject) -> T | None:
        """An object the API server just returned for this process's write; what is cached now."""
        if _vanishing(obj):
            self.record_delete(obj)
            return None
        self._upsert(obj)
        return self.get(object_key(obj))

    def record_delete(self, obj: JsonObject) -> None:
        """An object this process just deleted (kept while finalizers run)."""
        meta = obj.get("metadata") or {}
        if meta.get("deletionTimestamp") and meta.get("finalizers"):
            self._upsert(obj)
            return
        key, rv = object_key(obj), resource_version(obj)
        current = self._entries.get(key)
        if current is not None and (not rv or not not_older(rv, current.rv)):
            rv = current.rv  # deleted after the version we hold, at the least
        self._pop(key)
        self._bury(key, rv)

    def replace(self, objects: Iterable[JsonObject], list_rv: str) -> list[Change[T]]:
        """A fresh list taken at ``list_rv``: the cache becomes it, except for newer own writes."""
        old = self._entries
        fresh: dict[ObjectKey, _Entry[T]] = {}
        changes: list[Change[T]] = []
        for obj in objects:
            key, rv = object_key(obj), resource_version(obj)
            previous = old.get(key)
            if previous is not None and not not_older(rv, previous.rv):
                fresh[key] = previous  # our own write is ahead of this list
                continue
            tomb = self._tombstones.get(key)
            if tomb is not None and not newer(rv, tomb):
                continue  # we deleted it after the list was taken
            value = self._parsed(obj)
            if value is None:
                continue
            fresh[key] = _Entry(rv, value)
            self._tombstones.pop(key, None)
            if previous is None or previous.rv != rv:
                changes.append((previous.value if previous else None, value))
        for key, previous in old.items():
            if key in fresh:
                continue
            if after(previous.rv, list_rv):
                fresh[key] = previous  # written after the list was taken: the watch will tell
                continue
            self._bury(key, list_rv)
            changes.append((previous.value, None))
        self._entries = {}
        self._by_namespace = {}
        self._by_index = {}
        for key, entry in fresh.items():
            self._put(key, entry)
        return changes

    # --- rules ---

    def _upsert(self, obj: JsonObject) -> Change[T] | None:
        key, rv = object_key(obj), resource_version(obj)
        tomb = self._tombstones.get(key)
        if tomb is not None and not newer(rv, tomb):
            return None  # a version from before the deletion we already applied
        current = self._entries.get(key)
        if current is not None and not not_older(rv, current.rv):
            return None  # older than what we hold
        value = self._parsed(obj)
        if value is None:
            return None
        self._tombstones.pop(key, None)
        self._put(key, _Entry(rv, value))
        return (current.value if current else None, value)

    def _remove(self, key: ObjectKey, rv: str) -> Change[T] | None:
        current = self._entries.get(key)
        if current is not None and not not_older(rv, current.rv):
            return None  # already re-created (a newer version is cached)
        self._pop(key)
        self._bury(key, rv)
        return (current.value, None) if current is not None else None

    def _put(self, key: ObjectKey, entry: _Entry[T]) -> None:
        previous = self._entries.get(key)
        self._entries[key] = entry
        self._by_namespace.setdefault(key[0], {})[key] = entry
        if self._index is None:
            return
        value = self._index(entry.value)
        if previous is not None and self._index(previous.value) != value:
            self._unindex(key, previous)
        if value is not None:
            self._by_index.setdefault(value, {})[key] = entry

    def _pop(self, key: ObjectKey) -> None:
        previous = self._entries.pop(key, None)
        if previous is not None:
            self._unindex(key, previous)
        namespace = self._by_namespace.get(key[0])
        if namespace is not None:
            namespace.pop(key, None)
            if not namespace:
                del self._by_namespace[key[0]]

    def _unindex(self, key: ObjectKey, entry: _Entry[T]) -> None:
        if self._index is None or (value := self._index(entry.value)) is None:
            return
        bucket = self._by_index.get(value)
        if bucket is not None:
            bucket.pop(key, None)
            if not bucket:
                del self._by_index[value]

    def _bury(self, key: ObjectKey, rv: str) -> None:
        self._tombstones[key] = rv
        self._tombstones.move_to_end(key)
        while len(self._tombstones) > MAX_TOMBSTONES:
            self._tombstones.popitem(last=False)

    def _parsed(self, obj: JsonObject) -> T | None:
        try:
            return self._parse(obj)
        except ValueError as exc:
            key = object_key(obj)
            log.warning("%s: ignoring unparsable object %s/%s: %s", self._name, key[0], key[1], exc)
            return None
