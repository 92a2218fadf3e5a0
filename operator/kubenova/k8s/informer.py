"""The one watch cache (a small client-go informer): list, then watch, in a background thread.

An ``Informer`` keeps every object of one collection in memory (``Cache``: resourceVersion
ordering, tombstones, read-your-writes through ``record_write``/``record_delete``) and calls an
optional handler with (old, new) for each change; ``new`` is None for a deletion. The watch
resumes from the last resourceVersion seen (bookmarks included). When the server answers 410 Gone
(compacted history) it lists again and reports what it missed as changes, deletions included,
so handlers never see a gap. Transport failures are retried from the same resourceVersion with
back-off; after a few in a row, or any other error, it lists again. It never gives up: the
processes outlive API server restarts.

Readers see the cache, which is *synced* once the first list has landed; objects are shared, so
callers treat them as read-only.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from kubenova.k8s import errors
from kubenova.k8s.cache import Cache, Change
from kubenova.k8s.errors import JsonObject
from kubenova.k8s.kinds import Kind, resource_version
from kubenova.k8s.watch import WatchStream

log = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[T | None, T | None], None]
WATCH_TIMEOUT_SECONDS = (240, 360)
"""Each watch request asks the server to end it after a random time in this range (spreads relists)."""
_TRANSPORT_RETRIES = 3
_BACKOFF_MAX_SECONDS = 10.0


class Source(Protocol):
    """What an informer needs of a transport (``kubenova.k8s.Transport`` is one)."""

    def collection(
        self,
        kind: Kind,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> JsonObject: ...

    def watch(
        self,
        kind: Kind,
        namespace: str | None = None,
        *,
        resource_version: str,
        timeout_seconds: int,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> Iterable[JsonObject]: ...


def as_is(obj: JsonObject) -> JsonObject:
    """The ``parse`` of an informer that caches the raw objects."""
    return obj


class Informer(Generic[T]):
    """Cache of one collection (``namespace`` None: all namespaces), kept current by list+watch."""

    def __init__(
        self,
        source: Source,
        kind: Kind,
        parse: Callable[[JsonObject], T],
        *,
        handler: Handler[T] | None = None,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        name: str | None = None,
        index: Callable[[T], Hashable | None] | None = None,
    ) -> None:
        self.name = name or kind.plural
        self.kind = kind
        self._source = source
        self._handler = handler
        self._namespace = namespace
        self._selectors: Mapping[str, str | None] = {
            "label_selector": label_selector,
            "field_selector": field_selector,
        }
        self._cache: Cache[T] = Cache(parse, self.name, index)
        self._lock = threading.Lock()
        self._synced = threading.Event()
        self._stopping = threading.Event()
        self._stream: Any = None
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    # --- reading ---

    def get(self, name: str, namespace: str | None = None) -> T | None:
        with self._lock:
            return self._cache.get((namespace or "", name))

    def objects(self, namespace: str | None = None) -> list[T]:
        """Every cached object, or those of ``namespace`` ("": the cluster-scoped ones)."""
        with self._lock:
            return self._cache.values(namespace)

    def indexed(self, value: Hashable) -> list[T]:
        """The cached objects whose ``index`` key is ``value`` (see ``Cache``)."""
        with self._lock:
            return self._cache.indexed(value)

    @property
    def synced(self) -> bool:
        return self._synced.is_set()

    def wait_synced(self, timeout: float) -> bool:
        return self._synced.wait(timeout)

    # --- this process's own writes ---

    def record_write(self, obj: JsonObject) -> T | None:
        """Put what the API server answered to a write into the cache; returns what is cached now.

        Handlers are not called: the watch event will do that.
        """
        with self._lock:
            return self._cache.record_write(obj)

    def record_delete(self, obj: JsonObject) -> None:
        """Forget an object this process deleted (or keep it while its finalizers run)."""
        with self._lock:
            self._cache.record_delete(obj)

    # --- the background loop ---

    def start(self, stop: threading.Event | None = None) -> None:
        """Run in a daemon thread until ``stop()`` (or ``stop``, an event shared by several)."""
        if stop is not None:
            self._stopping = stop
        self._thread = threading.Thread(target=self._run, name=f"informer-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        stream = self._stream
        if isinstance(stream, WatchStream):  # unblocks the read the thread may be waiting in
            stream.close()

    def _run(self) -> None:
        rv: str | None = None
        failures = 0
        while not self._stopping.is_set():
            try:
                if rv is None:
                    rv = self._relist()
                low, high = WATCH_TIMEOUT_SECONDS
                self._stream = self._source.watch(
                    self.kind,
                    self._namespace,
                    resource_version=rv,
                    timeout_seconds=random.randint(low, high),
                    **self._selectors,
                )
                for event in self._stream:
                    if self._stopping.is_set():
                        return
                    rv = self._apply(event) or rv
                    failures = 0
            except errors.Gone:
                log.info("%s: watch history expired (410), listing again", self.name)
                rv = None
            except errors.KubeError as exc:
                failures += 1
                if not isinstance(exc, errors.Unavailable) or failures > _TRANSPORT_RETRIES:
                    rv = None  # the resume point may be the problem
                self._back_off(str(exc), failures)
            except Exception as exc:  # a bug (in a handler or parser) must not kill the cache
                log.exception("%s: informer error", self.name)
                rv = None
                failures += 1
                self._back_off(repr(exc), failures)
            finally:
                self._stream = None

    def _back_off(self, reason: str, failures: int) -> None:
        if self._stopping.is_set():
            return
        self.last_error = reason
        delay = min(0.2 * 2**failures, _BACKOFF_MAX_SECONDS)
        log.warning("%s: list/watch failed (%s); retrying in %.1fs", self.name, reason, delay)
        self._stopping.wait(delay)

    def _relist(self) -> str:
        listing = self._source.collection(self.kind, self._namespace, **self._selectors)
        list_rv = str((listing.get("metadata") or {}).get("resourceVersion") or "")
        with self._lock:
            changes = self._cache.replace(listing.get("items") or [], list_rv)
        self._synced.set()
        self.last_error = None
        self._notify(changes)
        return list_rv

    def _apply(self, event: JsonObject) -> str | None:
        obj: JsonObject = event.get("object") or {}
        kind = str(event.get("type") or "")
        if kind != "BOOKMARK":
            with self._lock:
                change = self._cache.apply(kind, obj)
            if change is not None:
                self._notify([change])
        return resource_version(obj) or None

    def _notify(self, changes: list[Change[T]]) -> None:
        if self._handler is None:
            return
        for old, new in changes:
            try:
                self._handler(old, new)
            except Exception:
                log.exception("%s: event handler failed", self.name)
