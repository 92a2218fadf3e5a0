"""The list+watch cache against a scripted API: resume, 410 relist, synthesised deletions, observe."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from kubevirt_simulator.apiclient import ApiError, ResourceType
from kubevirt_simulator.informer import Informer
from tests.support.wait import wait_for

RESOURCE = ResourceType("kubevirt.io", "v1", "virtualmachines", namespaced=True)


def obj(name: str, rv: int, **extra: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "ns", "resourceVersion": str(rv), **extra}}


class ScriptedApi:
    """Answers lists from ``listings`` and watches from ``watches``, in order; then blocks."""

    def __init__(
        self, listings: list[list[dict[str, Any]]], watches: list[list[dict[str, Any]] | ApiError]
    ) -> None:
        self.listings = listings
        self.watches = watches
        self.watch_calls: list[str] = []
        self.idle = threading.Event()

    def list_objects(self, path: str, label_selector: str | None = None) -> dict[str, Any]:
        items = self.listings.pop(0)
        rv = max((int(i["metadata"]["resourceVersion"]) for i in items), default=1)
        return {
            "kind": "VirtualMachineList",
            "apiVersion": "kubevirt.io/v1",
            "metadata": {"resourceVersion": str(rv)},
            "items": items,
        }

    def watch(
        self, path: str, resource_version: str, timeout_seconds: int, label_selector: str | None = None
    ) -> Iterator[dict[str, Any]]:
        self.watch_calls.append(resource_version)
        if not self.watches:
            self.idle.set()
            threading.Event().wait(0.05)
            return
        script = self.watches.pop(0)
        if isinstance(script, ApiError):
            raise script
        yield from script


def run(api: ScriptedApi) -> tuple[Informer, list[tuple[str | None, str | None]], threading.Event]:
    seen: list[tuple[str | None, str | None]] = []

    def handler(old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        seen.append(
            ((old or {}).get("metadata", {}).get("name"), (new or {}).get("metadata", {}).get("name"))
        )

    informer = Informer(api, RESOURCE, handler)  # type: ignore[arg-type]
    stop = threading.Event()
    informer.start(stop)
    return informer, seen, stop


def test_list_then_watch_then_relist_after_gone() -> None:
    api = ScriptedApi(
        listings=[[obj("a", 5), obj("b", 6)], [obj("a", 9), obj("c", 10)]],
        watches=[
            [{"type": "MODIFIED", "object": obj("a", 7)}, {"type": "BOOKMARK", "object": obj("", 8)}],
            ApiError(410, "too old resource version"),
        ],
    )
    informer, seen, stop = run(api)
    try:
        wait_for(api.idle.is_set, timeout=5, message="script consumed")
        assert informer.synced.is_set()
        assert api.watch_calls[:2] == ["6", "8"]  # resumed from the bookmark
        assert sorted(o["metadata"]["name"] for o in informer.objects()) == ["a", "c"]
        assert informer.objects()[0]["kind"] == "VirtualMachine"
        # b vanished while the watch was expired: its deletion is synthesised.
        assert ("b", None) in seen
        assert (None, "c") in seen
        assert seen[:3] == [(None, "a"), (None, "b"), ("a", "a")]
    finally:
        stop.set()


def test_observe_never_revives_a_deleted_object() -> None:
    api = ScriptedApi(listings=[[obj("a", 5)]], watches=[[{"type": "DELETED", "object": obj("a", 8)}]])
    informer, _seen, stop = run(api)
    try:
        wait_for(api.idle.is_set, timeout=5, message="script consumed")
        informer.observe(obj("a", 7))  # a write response that lost the race with the deletion
        assert informer.get("ns", "a") is None
        informer.observe(obj("a", 9))  # re-created after the deletion
        assert informer.get("ns", "a") is not None
        informer.observe(obj("gone", 3, deletionTimestamp="2026-01-01T00:00:00Z"))
        assert informer.get("ns", "gone") is None
    finally:
        stop.set()


def test_observe_only_moves_forward() -> None:
    api = ScriptedApi(listings=[[obj("a", 5)]], watches=[])
    informer, _seen, stop = run(api)
    try:
        wait_for(api.idle.is_set, timeout=5, message="listed")
        informer.observe(obj("a", 4))
        assert informer.get("ns", "a")["metadata"]["resourceVersion"] == "5"  # type: ignore[index]
        informer.observe(obj("a", 6))
        assert informer.get("ns", "a")["metadata"]["resourceVersion"] == "6"  # type: ignore[index]
    finally:
        stop.set()


def test_transport_errors_are_retried_from_the_same_resource_version() -> None:
    api = ScriptedApi(
        listings=[[obj("a", 5)]],
        watches=[ApiError(0, "connection reset"), [{"type": "ADDED", "object": obj("b", 6)}]],
    )
    informer, seen, stop = run(api)
    try:
        wait_for(api.idle.is_set, timeout=5, message="script consumed")
        assert api.watch_calls[:2] == ["5", "5"]
        assert (None, "b") in seen
        assert informer.get("ns", "b") is not None
    finally:
        stop.set()
