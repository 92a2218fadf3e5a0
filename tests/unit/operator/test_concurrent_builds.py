"""``max_concurrent_builds``: a host builds at most that many servers at once, the rest wait in
the order they came and are woken when a build on their host ends (``domain.concurrent_builds``,
``handlers.servers.build_slots``)."""

from __future__ import annotations

from typing import Any

from kubenova.domain.concurrent_builds import Build, admitted, may_start
from kubenova.handlers import cluster_view
from kubenova.handlers.cluster_view import ClusterView
from kubenova.handlers.servers.build_slots import BuildSlots
from kubenova.handlers.view_keys import ServerRef
from kubenova.resources.server import Server
from tests.unit.operator import factories as f


def _build(second: int, name: str, *, started: bool = False) -> Build:
    return Build(f"2026-01-01T00:00:{second:02d}Z", "demo", name, started=started)


def test_started_builds_keep_their_slots_and_the_earliest_waiting_fill_the_rest() -> None:
    builds = [
        _build(5, "late"),
        _build(1, "running-a", started=True),
        _build(2, "first"),
        _build(3, "second"),
        _build(2, "running-b", started=True),
    ]
    assert [b.name for b in admitted(builds, 4)] == ["running-a", "running-b", "first", "second"]
    assert may_start(_build(2, "first"), builds, 4)
    assert not may_start(_build(5, "late"), builds, 4)


def test_ties_in_the_second_go_by_name_and_zero_is_unlimited() -> None:
    builds = [_build(1, "b"), _build(1, "a"), _build(1, "c")]
    assert [b.name for b in admitted(builds, 2)] == ["a", "b"]
    assert len(admitted(builds, 0)) == 3


def test_more_started_than_the_limit_admits_no_waiting_one() -> None:
    """A limit lowered at a restart: the started builds stay, no new one starts."""
    builds = [_build(1, "a", started=True), _build(1, "b", started=True), _build(2, "c")]
    assert [b.name for b in admitted(builds, 1)] == ["a", "b"]


def _building(name: str, second: int, host: str = "node-1", **status: Any) -> Server:
    return f.server(
        name=name,
        uid=f"uid-{name}",
        creationTimestamp=f"2026-01-01T00:00:{second:02d}Z",
        status={"vmState": "building", "taskState": "spawning", "host": host, **status},
    )


class _Fleet:
    """A view with a VM index, and the slots following it; ``woken`` collects what ``on_free`` got."""

    def __init__(self, limit: int) -> None:
        self.vms: dict[ServerRef, list[object]] = {}
        self.view = ClusterView()
        self.view.bind({cluster_view.VMS: self.vms})
        self.slots = BuildSlots(limit)
        self.slots.follow(self.view)
        self.woken: list[list[str]] = []
        self.slots.on_free = lambda refs: self.woken.append([r.name for r in refs])

    def seen(self, server: Server, *, with_vm: bool = False) -> Server:
        if with_vm:
            self.vms[ServerRef("demo", server.metadata.name)] = [object()]
        self.view.feed.seen(server)
        return server


def test_a_host_at_its_limit_holds_later_builds_until_one_ends() -> None:
    fleet = _Fleet(limit=2)
    a = fleet.seen(_building("a", 1), with_vm=True)
    fleet.seen(_building("b", 2), with_vm=True)
    c = fleet.seen(_building("c", 3))
    d = fleet.seen(_building("d", 4))
    other_host = fleet.seen(_building("e", 5, host="node-2"))

    assert not fleet.slots.may_start(c)
    assert not fleet.slots.may_start(d)
    assert fleet.slots.may_start(other_host)  # a limit per host
    assert fleet.woken == []

    active = a.model_copy(update={"metadata": a.metadata.model_copy(update={"resource_version": "8"})})
    active.status.vm_state = None  # left building (ACTIVE)
    fleet.view.feed.seen(active)

    assert fleet.woken == [["c"]]  # the earliest waiting one, not both
    assert fleet.slots.may_start(c)
    assert not fleet.slots.may_start(d)


def test_a_waiting_build_deleted_lets_the_next_one_go() -> None:
    fleet = _Fleet(limit=1)
    fleet.seen(_building("a", 1))
    b = fleet.seen(_building("b", 2))
    assert not fleet.slots.may_start(b)

    fleet.view.feed.gone("uid-a", ServerRef("demo", "a"))

    assert fleet.woken == [["b"]]
    assert fleet.slots.may_start(b)


def test_unlimited_never_holds_and_never_wakes() -> None:
    fleet = _Fleet(limit=0)
    builds = [fleet.seen(_building(name, i), with_vm=i < 5) for i, name in enumerate("abcdefgh")]
    assert all(fleet.slots.may_start(s) for s in builds)
    fleet.view.feed.gone("uid-a", ServerRef("demo", "a"))
    assert fleet.woken == []
