"""When each Server became ACTIVE and when it was gone, from one watch on the Server CRs.

Why a watch and not polling: polling ``GET /servers/{id}`` (or ``/servers/detail``) through the
gateway to see ACTIVE adds gateway and apiserver load that grows with the servers in flight and the
poll rate, so the figures would partly measure the bench itself, and a poll interval quantises every
latency. One watch on the Servers of the bench project costs the apiserver one long request (made
with the bench's own identity, which the request counts leave out), sees every status write as it
happens, and is timestamped on arrival in a thread of its own, so the driver's event loop being busy
with hundreds of requests does not delay it. What the watch sees is what the gateway shows: the
gateway renders a server's status from the same Server object (``status.status`` and no
``status.taskState`` is ACTIVE with no task state in the API); gone is the Server object's DELETED
event, after which the API answers 404.

Times are ``time.monotonic()`` of this process, comparable with the driver's request times.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException

from kubenova.resources import GROUP, VERSION

POLL_SECONDS = 0.05  # how often a waiting worker looks at a watch's findings (local, no request)

RETRY = 0.5


def is_active(server: dict[str, Any]) -> bool:
    status = server.get("status") or {}
    return bool(status.get("status") == "ACTIVE" and not status.get("taskState"))


def is_error(server: dict[str, Any]) -> bool:
    return bool((server.get("status") or {}).get("status") == "ERROR")


class ResourceWatch:
    """A background thread watching one resource (``group/version/plural``) in ``namespace``; a
    subclass says what an event means (``_see``, called under ``lock``)."""

    def __init__(self, kube: client.ApiClient, namespace: str, resource: tuple[str, str, str]) -> None:
        self.custom = client.CustomObjectsApi(kube)
        self.namespace = namespace
        self.resource = resource
        self.lock = threading.Lock()
        self.relists = 0
        self._stop = threading.Event()
        self._watch: watch.Watch | None = None
        self._thread = threading.Thread(target=self._run, name=f"{resource[2]}-watch", daemon=True)
        self._ready = threading.Event()

    def start(self, timeout: float = 30.0) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"the {self.resource[2]} watch did not start")

    def stop(self) -> None:
        self._stop.set()
        if self._watch is not None:
            self._watch.stop()
        self._thread.join(timeout=2)  # a daemon thread: a watch blocked on a quiet stream may linger

    def _see(self, kind: str, obj: dict[str, Any], now: float) -> None:
        raise NotImplementedError

    async def when(
        self,
        table: dict[str, float],
        key: str,
        *,
        since: float,
        timeout: float,
        failed: Callable[[], bool] = lambda: False,
    ) -> float | None:
        """When this watch put ``key`` in ``table`` (one of its findings); None once ``failed()``
        (read under the lock) or ``timeout`` seconds after ``since``. Polls locally, no request."""
        while time.monotonic() - since < timeout:
            with self.lock:
                seen, gave_up = table.get(key), failed()
            if seen is not None:
                return seen
            if gave_up:
                return None
            await asyncio.sleep(POLL_SECONDS)
        return None

    def _seen(self, kind: str, obj: dict[str, Any], now: float) -> None:
        with self.lock:
            self._see(kind, obj, now)

    def _list(self) -> str:
        group, version, plural = self.resource
        listed = self.custom.list_namespaced_custom_object(group, version, self.namespace, plural)
        now = time.monotonic()
        for obj in listed["items"]:
            self._seen("LISTED", obj, now)
        return str(listed["metadata"]["resourceVersion"])

    def _run(self) -> None:
        group, version_, plural = self.resource
        version = ""
        while not self._stop.is_set():
            try:
                if not version:
                    version = self._list()
                    self.relists += 1
                    self._ready.set()
                self._watch = watch.Watch()
                stream = self._watch.stream(
                    self.custom.list_namespaced_custom_object,
                    group,
                    version_,
                    self.namespace,
                    plural,
                    resource_version=version,
                    allow_watch_bookmarks=True,
                    timeout_seconds=300,
                )
                for event in stream:
                    now = time.monotonic()
                    obj = event["object"]
                    version = str(obj["metadata"].get("resourceVersion") or version)
                    if event["type"] == "ERROR":
                        version = ""  # expired (410): list again
                        break
                    if event["type"] != "BOOKMARK":
                        self._seen(event["type"], obj, now)
                    if self._stop.is_set():
                        return
            except ApiException as exc:
                if exc.status == 410:
                    version = ""
                time.sleep(RETRY)
            except Exception:  # a dropped connection: watch again from the last version
                if self._stop.is_set():
                    return
                time.sleep(RETRY)


class ServerWatch(ResourceWatch):
    """The Servers of ``namespace``: when each became ACTIVE, went to ERROR, was gone (by uid)."""

    def __init__(self, kube: client.ApiClient, namespace: str) -> None:
        super().__init__(kube, namespace, (GROUP, VERSION, "servers"))
        self.active: dict[str, float] = {}  # server id (metadata.uid) -> first seen ACTIVE
        self.errors: dict[str, str] = {}  # server id -> fault message
        self.gone: dict[str, float] = {}  # server id -> DELETED event

    def count_active(self, ids: list[str]) -> int:
        with self.lock:
            return sum(1 for i in ids if i in self.active)

    def count_gone(self, ids: list[str]) -> int:
        with self.lock:
            return sum(1 for i in ids if i in self.gone)

    def _see(self, kind: str, server: dict[str, Any], now: float) -> None:
        uid = str(server["metadata"]["uid"])
        if kind == "DELETED":
            self.gone.setdefault(uid, now)
        elif is_active(server):
            self.active.setdefault(uid, now)
        elif is_error(server):
            fault = (server.get("status") or {}).get("fault") or {}
            self.errors.setdefault(uid, str(fault.get("message", fault)))
