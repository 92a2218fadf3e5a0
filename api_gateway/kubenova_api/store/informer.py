"""An informer: one background thread per watched collection keeps an in-memory copy current.

It lists once, then watches from the list's resourceVersion; a 410 Gone (history compacted)
or a broken stream leads to a fresh list. Readers never reach the API server: they read the
cache, which is *synced* once the first list has landed. Writers put what the API server
returned into the cache straight away (``record_write``/``record_delete``), so a client that
creates and immediately reads sees its write. Events that are older than what the cache holds
(a lagging watch) are ignored by comparing resourceVersions.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from kubernetes import watch
from kubernetes.client.exceptions import ApiException

from kubenova_api import errors

log = logging.getLogger(__name__)

T = TypeVar("T")
Key = tuple[str, str]  # (namespace or "", name)

WATCH_TIMEOUT_SECONDS = 240
_BACKOFF_MAX_SECONDS = 10.0
# How long a deletion is remembered, so a lagging MODIFIED event cannot resurrect the object.
_TOMBSTONE_SECONDS = 300.0


def _rv(obj: dict[str, Any]) -> str:
    return str(obj.get("metadata", {}).get("resourceVersion") or "")


def _not_older(candidate: str, current: str, *, strictly_newer: bool = False) -> bool:
    """Whether resourceVersion ``candidate`` is not older than (or strictly newer than) ``current``.

    resourceVersions are opaque, but etcd-backed servers hand out increasing integers; when
    either is not an integer, the later arrival wins.
    """
    if candidate.isdigit() and current.isdigit():
        return int(candidate) > int(current) if strictly_newer else int(candidate) >= int(current)
    return True


def key_of(obj: dict[str, Any]) -> Key:
    meta = obj.get("metadata", {})
    return (str(meta.get("namespace") or ""), str(meta.get("name") or ""))


@dataclass
class _Entry(Generic[T]):
    rv: str
    value: T


class Informer(Generic[T]):
    """Cache of one collection. ``list_call`` is a kubernetes-client list function (with its
    fixed arguments bound); ``parse`` turns a raw object into what the cache holds (raising
    ``ValueError`` for objects to skip)."""

    def __init__(
        self, name: str, list_call: Callable[..., Any], parse: Callable[[dict[str, Any]], T]
    ) -> None:
        self.name = name
        self._list_call = list_call
        self._parse = parse
        self._lock = threading.Lock()
        self._items: dict[Key, _Entry[T]] = {}
        self._tombstones: dict[Key, tuple[str, float]] = {}
        self._synced = threading.Event()
        self._stopping = threading.Event()
        self._watch: watch.Watch | None = None
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    # -- reading ---------------------------------------------------------------------------
    def _require_synced(self) -> None:
        if not self._synced.is_set():
            detail = f": {self.last_error}" if self.last_error else ""
            raise errors.UnavailableError(f"The {self.name} cache is not ready yet{detail}.")

    def get(self, name: str, namespace: str = "") -> T | None:
        self._require_synced()
        with self._lock:
            entry = self._items.get((namespace, name))
            return entry.value if entry else None

    def items(self) -> list[T]:
        self._require_synced()
        with self._lock:
            return [entry.value for entry in self._items.values()]

    @property
    def synced(self) -> bool:
        return self._synced.is_set()

    def wait_synced(self, timeout: float) -> bool:
        return self._synced.wait(timeout)

    # -- writes seen through this process ------------------------------------------------
    def record_write(self, obj: dict[str, Any]) -> T | None:
        """Put an object the API server just returned into the cache (read-your-writes)."""
        return self._upsert(obj)

    def record_delete(self, obj: dict[str, Any]) -> None:
        """Forget an object the API server just deleted (or keep it while finalizers run)."""
        if obj.get("metadata", {}).get("deletionTimestamp") and obj.get("metadata", {}).get("finalizers"):
            self._upsert(obj)
            return
        key = key_of(obj)
        with self._lock:
            self._items.pop(key, None)
            self._tombstones[key] = (_rv(obj), time.monotonic() + _TOMBSTONE_SECONDS)

    # -- event application ---------------------------------------------------------------
    def _upsert(self, obj: dict[str, Any]) -> T | None:
        key, rv = key_of(obj), _rv(obj)
        try:
            value = self._parse(obj)
        except ValueError as exc:
            log.warning("%s: ignoring unparsable object %s/%s: %s", self.name, key[0], key[1], exc)
            return None
        with self._lock:
            tomb = self._tombstones.get(key)
            if tomb is not None:
                deleted_rv, expires = tomb
                if time.monotonic() < expires and not _not_older(rv, deleted_rv, strictly_newer=True):
                    return None  # an event from before the deletion we already applied
                self._tombstones.pop(key, None)
            current = self._items.get(key)
            if current is not None and not _not_older(rv, current.rv):
                return current.value
            self._items[key] = _Entry(rv, value)
            return value

    def _remove(self, obj: dict[str, Any]) -> None:
        key = key_of(obj)
        with self._lock:
            current = self._items.get(key)
            if current is None or _not_older(_rv(obj), current.rv):
                self._items.pop(key, None)
            self._tombstones.pop(key, None)

    def _replace_all(self, objects: list[dict[str, Any]]) -> None:
        fresh: dict[Key, _Entry[T]] = {}
        for obj in objects:
            try:
                fresh[key_of(obj)] = _Entry(_rv(obj), self._parse(obj))
            except ValueError as exc:
                log.warning("%s: ignoring unparsable object %s: %s", self.name, key_of(obj), exc)
        with self._lock:
            self._items = fresh
            self._tombstones.clear()

    # -- the background loop -------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"informer-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._watch is not None:
            self._watch.stop()  # type: ignore[no-untyped-call]

    def _list(self) -> str:
        response = self._list_call(_preload_content=False)
        body = json.loads(response.data)
        self._replace_all(list(body.get("items") or []))
        self._synced.set()
        self.last_error = None
        return str(body.get("metadata", {}).get("resourceVersion") or "")

    def _watch_from(self, resource_version: str) -> str:
        self._watch = watch.Watch()  # type: ignore[no-untyped-call]
        for event in self._watch.stream(  # type: ignore[no-untyped-call]
            self._list_call,
            resource_version=resource_version,
            timeout_seconds=WATCH_TIMEOUT_SECONDS,
            allow_watch_bookmarks=True,
        ):
            if self._stopping.is_set():
                break
            kind = event.get("type")
            obj = event.get("raw_object") or {}
            resource_version = _rv(obj) or resource_version
            if kind in ("ADDED", "MODIFIED"):
                self._upsert(obj)
            elif kind == "DELETED":
                self._remove(obj)
        return resource_version

    def _run(self) -> None:
        backoff = 0.5
        resource_version = ""
        while not self._stopping.is_set():
            try:
                if not resource_version:
                    resource_version = self._list()
                resource_version = self._watch_from(resource_version)
                backoff = 0.5
            except ApiException as exc:
                if exc.status == 410:
                    log.info("%s: watch history expired, listing again", self.name)
                    resource_version = ""
                    continue
                self._note_failure(f"{exc.status} {exc.reason}")
                resource_version = ""
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX_SECONDS)
            except Exception as exc:  # the loop must survive anything the network throws
                self._note_failure(repr(exc))
                resource_version = ""
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX_SECONDS)

    def _note_failure(self, reason: str) -> None:
        if not self._stopping.is_set():
            log.warning("%s: list/watch failed (%s); retrying", self.name, reason)
        self.last_error = reason
