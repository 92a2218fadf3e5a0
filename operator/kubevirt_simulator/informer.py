"""List+watch caches of the kinds the simulator reacts to (a small client-go informer).

Each informer keeps every object of one resource in memory and calls a handler with
(old, new) on each change; ``new`` is None for a deletion. The watch resumes from the last seen
resourceVersion (bookmarks included); when the server answers 410 Gone (compacted history) it
lists again and synthesises the events it missed, deletions included, so handlers never see a
gap. Transport errors back off and retry forever: the simulator outlives API server restarts.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from kubevirt_simulator.apiclient import ApiError, KubeClient, Obj, ResourceType

log = logging.getLogger(__name__)

MAX_TOMBSTONES = 10_000
Handler = Callable[[Obj | None, Obj | None], None]
ObjectKey = tuple[str, str]
"""(namespace, name); namespace is "" for cluster-scoped objects."""


def object_key(obj: Obj) -> ObjectKey:
    meta = obj.get("metadata") or {}
    return (meta.get("namespace") or "", meta.get("name") or "")


class Informer:
    def __init__(
        self,
        client: KubeClient,
        resource: ResourceType,
        handler: Handler,
        label_selector: str | None = None,
        name: str | None = None,
    ) -> None:
        self._client = client
        self._resource = resource
        self._handler = handler
        self._selector = label_selector
        self.name = name or resource.plural
        self._store: dict[ObjectKey, Obj] = {}
        self._tombstones: OrderedDict[ObjectKey, int] = OrderedDict()
        """resourceVersion at which recently deleted objects went, so ``observe`` cannot revive them."""
        self._lock = threading.Lock()
        self.synced = threading.Event()
        self._thread: threading.Thread | None = None

    # Read side: objects are shared, callers must treat them as read-only.
    def get(self, namespace: str, name: str) -> Obj | None:
        with self._lock:
            return self._store.get((namespace, name))

    def objects(self) -> list[Obj]:
        with self._lock:
            return list(self._store.values())

    def observe(self, obj: Obj) -> None:
        """Record an object the simulator itself just wrote, unless the watch already brought newer.

        Saves the next reconcile from deciding on the pre-write copy (and failing its
        resourceVersion precondition). Handlers are not called: the watch event will do that.
        """
        meta = obj.get("metadata") or {}
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            return  # the API server removes it right after this write
        key = object_key(obj)
        with self._lock:
            current = self._store.get(key)
            if current is not None:
                if _newer(obj, current):
                    self._store[key] = obj
                return
            # Absent: new (our own create) or already deleted (the DELETED event won the race).
            tombstone = self._tombstones.get(key)
            if tombstone is None or _rv_int(obj) > tombstone:
                self._store[key] = obj

    def start(self, stop: threading.Event) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(stop,), name=f"informer-{self.name}", daemon=True
        )
        self._thread.start()

    def _run(self, stop: threading.Event) -> None:
        resource_version: str | None = None
        failures = 0
        path = self._resource.path()
        while not stop.is_set():
            try:
                if resource_version is None:
                    resource_version = self._relist(path)
                for event in self._client.watch(
                    path, resource_version, random.randint(240, 360), self._selector
                ):
                    if stop.is_set():
                        return
                    resource_version = self._apply(event) or resource_version
                    failures = 0
            except ApiError as exc:
                if stop.is_set():
                    return
                if exc.gone:
                    log.info("kubevirt-simulator: %s watch expired (410), relisting", self.name)
                    resource_version = None
                    continue
                failures += 1
                if failures > 3:
                    resource_version = None  # the resume point may be the problem
                delay = min(0.2 * 2**failures, 10.0)
                log.warning(
                    "kubevirt-simulator: %s watch failed (%s), retrying in %.1fs", self.name, exc, delay
                )
                stop.wait(delay)
            except Exception:  # a bug in a handler must not kill the cache
                log.exception("kubevirt-simulator: %s informer error", self.name)
                resource_version = None
                stop.wait(1.0)

    def _relist(self, path: str) -> str:
        listing = self._client.list_objects(path, self._selector)
        items: list[Obj] = listing.get("items") or []
        kind = self._resource_kind(listing)
        fresh: dict[ObjectKey, Obj] = {}
        for item in items:
            item.setdefault("kind", kind)
            item.setdefault("apiVersion", listing.get("apiVersion"))
            fresh[object_key(item)] = item
        list_rv = str((listing.get("metadata") or {}).get("resourceVersion") or "0")
        with self._lock:
            old = self._store
            self._store = fresh
            for key in old.keys() - fresh.keys():
                self._bury(key, int(list_rv) if list_rv.isdigit() else 0)
        for key, obj in fresh.items():
            previous = old.get(key)
            if previous is None or _rv(previous) != _rv(obj):
                self._notify(previous, obj)
        for key, obj in old.items():
            if key not in fresh:
                self._notify(obj, None)
        self.synced.set()
        return list_rv

    @staticmethod
    def _resource_kind(listing: Obj) -> str:
        kind = str(listing.get("kind") or "")
        return kind[: -len("List")] if kind.endswith("List") else kind

    def _apply(self, event: Obj) -> str | None:
        kind = event.get("type")
        obj: Obj = event.get("object") or {}
        rv = _rv(obj)
        if kind == "BOOKMARK":
            return rv
        key = object_key(obj)
        log.debug("kubevirt-simulator: %s %s %s/%s rv %s", self.name, kind, key[0], key[1], rv)
        with self._lock:
            previous = self._store.get(key)
            if kind == "DELETED":
                self._store.pop(key, None)
                self._bury(key, _rv_int(obj))
            else:
                self._store[key] = obj
                self._tombstones.pop(key, None)
        self._notify(previous, None if kind == "DELETED" else obj)
        return rv

    def _bury(self, key: ObjectKey, rv: int) -> None:
        self._tombstones[key] = rv
        self._tombstones.move_to_end(key)
        while len(self._tombstones) > MAX_TOMBSTONES:
            self._tombstones.popitem(last=False)

    def _notify(self, old: Obj | None, new: Obj | None) -> None:
        try:
            self._handler(old, new)
        except Exception:
            log.exception("kubevirt-simulator: %s event handler failed", self.name)


def _rv(obj: dict[str, Any]) -> str | None:
    rv = (obj.get("metadata") or {}).get("resourceVersion")
    return None if rv is None else str(rv)


def _rv_int(obj: Obj) -> int:
    rv = _rv(obj)
    return int(rv) if rv is not None and rv.isdigit() else 0


def _newer(candidate: Obj, current: Obj) -> bool:
    """resourceVersions are opaque, but etcd's are integers; when they are not, trust the watch."""
    a, b = _rv(candidate), _rv(current)
    if a is None or b is None or not a.isdigit() or not b.isdigit():
        return False
    return int(a) > int(b)
