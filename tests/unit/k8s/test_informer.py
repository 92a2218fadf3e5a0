"""The list+watch cache against a scripted API: resume, 410 relist, synthesised deletions,
record_write, retries, stop. (Formerly the simulator's informer tests.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kubenova import k8s
from kubenova.k8s import Informer, as_is
from tests.support.wait import wait_for

KIND = k8s.VIRTUAL_MACHINES


def obj(name: str, rv: int, **extra: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "ns", "resourceVersion": str(rv), **extra}}


class ScriptedApi:
    """Answers lists from ``listings`` and watches from ``watches``, in order; then idles."""

    def __init__(
        self,
        listings: list[list[dict[str, Any]] | k8s.KubeError],
        watches: list[list[dict[str, Any]] | k8s.KubeError],
    ) -> None:
        self.listings = listings
        self.watches = watches
        self.watch_calls: list[str] = []
        self.selectors: list[tuple[str | None, str | None, str | None]] = []
        self.idle = threading.Event()

    def collection(
        self,
        kind: k8s.Kind,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> dict[str, Any]:
        self.selectors.append((namespace, label_selector, field_selector))
        items = self.listings.pop(0)
        if isinstance(items, k8s.KubeError):
            raise items
        for item in items:
            item.setdefault("kind", "VirtualMachine")
        rv = max((int(i["metadata"]["resourceVersion"]) for i in items), default=1)
        return {"kind": "VirtualMachineList", "metadata": {"resourceVersion": str(rv)}, "items": items}

    def watch(
        self,
        kind: k8s.Kind,
        namespace: str | None = None,
        *,
        resource_version: str,
        timeout_seconds: int,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        assert 240 <= timeout_seconds <= 360
        self.watch_calls.append(resource_version)
        if not self.watches:
            self.idle.set()
            threading.Event().wait(0.05)
            return
        script = self.watches.pop(0)
        if isinstance(script, k8s.KubeError):
            raise script
        yield from script


Seen = list[tuple[str | None, str | None]]


@pytest.fixture
def run() -> Iterator[Any]:
    started: list[Informer[dict[str, Any]]] = []

    def start(api: ScriptedApi, **kwargs: Any) -> tuple[Informer[dict[str, Any]], Seen]:
        seen: Seen = []

        def handler(old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
            seen.append(
                ((old or {}).get("metadata", {}).get("name"), (new or {}).get("metadata", {}).get("name"))
            )

        informer = Informer(api, KIND, as_is, handler=handler, **kwargs)
        informer.start()
        started.append(informer)
        return informer, seen

    yield start
    for informer in started:
        informer.stop()


def test_list_then_watch_then_relist_after_gone(run: Any) -> None:
    api = ScriptedApi(
        listings=[[obj("a", 5), obj("b", 6)], [obj("a", 9), obj("c", 10)]],
        watches=[
            [{"type": "MODIFIED", "object": obj("a", 7)}, {"type": "BOOKMARK", "object": obj("", 8)}],
            k8s.Gone(410, "Expired", "too old resource version"),
        ],
    )
    informer, seen = run(api)
    wait_for(api.idle.is_set, timeout=5, message="script consumed")
    assert informer.synced
    assert api.watch_calls[:2] == ["6", "8"]  # resumed from the bookmark
    assert sorted(o["metadata"]["name"] for o in informer.objects()) == ["a", "c"]
    assert informer.objects()[0]["kind"] == "VirtualMachine"
    # b vanished while the watch was expired: its deletion is synthesised.
    assert ("b", None) in seen
    assert (None, "c") in seen
    assert seen[:3] == [(None, "a"), (None, "b"), ("a", "a")]


def test_record_write_never_revives_a_deleted_object(run: Any) -> None:
    api = ScriptedApi(listings=[[obj("a", 5)]], watches=[[{"type": "DELETED", "object": obj("a", 8)}]])
    informer, _seen = run(api)
    wait_for(api.idle.is_set, timeout=5, message="script consumed")
    informer.record_write(obj("a", 7))  # a write response that lost the race with the deletion
    assert informer.get("a", "ns") is None
    informer.record_write(obj("a", 9))  # re-created after the deletion
    assert informer.get("a", "ns") is not None
    informer.record_write(obj("gone", 3, deletionTimestamp="2026-01-01T00:00:00Z"))
    assert informer.get("gone", "ns") is None


def test_record_write_only_moves_forward(run: Any) -> None:
    api = ScriptedApi(listings=[[obj("a", 5)]], watches=[])
    informer, _seen = run(api)
    wait_for(api.idle.is_set, timeout=5, message="listed")
    informer.record_write(obj("a", 4))
    assert informer.get("a", "ns")["metadata"]["resourceVersion"] == "5"
    informer.record_write(obj("a", 6))
    assert informer.get("a", "ns")["metadata"]["resourceVersion"] == "6"


def test_transport_errors_are_retried_from_the_same_resource_version(run: Any) -> None:
    api = ScriptedApi(
        listings=[[obj("a", 5)]],
        watches=[
            k8s.Unavailable(503, "ProtocolError", "connection reset"),
            [{"type": "ADDED", "object": obj("b", 6)}],
        ],
    )
    informer, seen = run(api)
    wait_for(api.idle.is_set, timeout=5, message="script consumed")
    assert api.watch_calls[:2] == ["5", "5"]
    assert (None, "b") in seen
    assert informer.get("b", "ns") is not None


def test_other_errors_list_again(run: Any) -> None:
    api = ScriptedApi(
        listings=[
            k8s.NotFound(404, "NotFound", "the server could not find the requested resource"),
            [obj("a", 5)],
            [obj("a", 5)],
        ],
        watches=[k8s.KubeError(500, "InternalError", "boom")],
    )
    informer, _seen = run(api, namespace="ns", label_selector="x=y", field_selector="metadata.name=a")
    wait_for(api.idle.is_set, timeout=10, message="script consumed")
    assert informer.synced
    assert informer.last_error is None  # cleared by the list that succeeded
    # The 500 made it list again before watching. Once idle, the informer keeps re-watching the
    # empty script every 0.05 s, so only the first calls are the script's (a loaded machine may
    # have run more of them before this thread looks).
    assert api.watch_calls[:2] == ["5", "5"]
    assert api.selectors[:3] == [("ns", "x=y", "metadata.name=a")] * 3


def test_an_unsynced_informer_reports_why(run: Any) -> None:
    refused = k8s.Forbidden(403, "Forbidden", 'secrets is forbidden: User "x" cannot list')
    api = ScriptedApi(listings=[refused] * 5, watches=[])
    informer, _seen = run(api)
    wait_for(lambda: informer.last_error is not None, timeout=5, message="the failure is recorded")
    assert not informer.synced
    assert not informer.wait_synced(0.01)
    assert "forbidden" in (informer.last_error or "")
    assert informer.objects() == []


def test_a_failing_handler_does_not_stop_the_cache(run: Any) -> None:
    api = ScriptedApi(listings=[[obj("a", 5)]], watches=[[{"type": "ADDED", "object": obj("b", 6)}]])
    informer = Informer(api, KIND, as_is, handler=lambda old, new: 1 / 0)
    informer.start()
    try:
        wait_for(api.idle.is_set, timeout=5, message="script consumed")
        assert {o["metadata"]["name"] for o in informer.objects()} == {"a", "b"}
    finally:
        informer.stop()


def test_a_shared_stop_event_ends_every_informer() -> None:
    stop = threading.Event()
    apis = [ScriptedApi(listings=[[obj("a", 5)]], watches=[]) for _ in range(2)]
    informers = [Informer(api, KIND, as_is) for api in apis]
    for informer in informers:
        informer.start(stop)
    for api in apis:
        wait_for(api.idle.is_set, timeout=5, message="listed")
    stop.set()
    for informer in informers:
        assert informer._thread is not None
        informer._thread.join(timeout=5)
        assert not informer._thread.is_alive()
