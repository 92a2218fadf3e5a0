"""Placement: Node → NodeInfo, Server → PlacedServer, and the critical section that keeps
concurrent builds from overcommitting (driven here with an in-memory stand-in for the cluster
view; the same property is tested against the real control plane in tests/integration)."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

import pytest

from kubenova import k8s
from kubenova.domain import quotas
from kubenova.domain.zones import AggregateInfo
from kubenova.handlers import cluster_view, indexes
from kubenova.handlers.cluster_view import ClusterView
from kubenova.handlers.servers import ledger as placement
from kubenova.handlers.view_keys import ServerRef
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_state import HostState, NodeInfo, PlacedServer
from kubenova.settings import Settings
from tests.unit.operator import factories as f
from tests.unit.scheduler.factories import make_spec


def node(
    name: str, *, cpu: str = "10", memory: str = "64Gi", disk: str = "100Gi", **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": {},
        "status": {
            "allocatable": {"cpu": cpu, "memory": memory, "ephemeral-storage": disk},
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }
    for key, value in extra.items():
        body[key].update(value)
    return body


def test_node_info_reads_allocatable_readiness_and_cordons() -> None:
    info = indexes.node_info(node("n1", cpu="3500m", memory="4Gi", disk="20Gi"))
    assert (info.name, info.cpu, info.memory_mb, info.disk_gb) == ("n1", 3.5, 4096, 20)
    assert info.schedulable
    assert info.ready
    assert not indexes.node_info(node("n2", spec={"unschedulable": True})).schedulable
    tainted = node("n3", spec={"taints": [{"key": "k", "effect": "NoSchedule"}]})
    assert not indexes.node_info(tainted).schedulable
    preferring = node("n4", spec={"taints": [{"key": "k", "effect": "PreferNoSchedule"}]})
    assert indexes.node_info(preferring).schedulable
    not_ready = node("n5", status={"conditions": [{"type": "Ready", "status": "False"}]})
    assert not indexes.node_info(not_ready).ready


def test_node_info_survives_missing_or_bad_quantities() -> None:
    info = indexes.node_info({"metadata": {"name": "bare"}, "status": {"capacity": {"cpu": "lots"}}})
    assert (info.cpu, info.memory_mb, info.disk_gb, info.ready) == (0.0, 0, 0, False)


def test_placed_server_counts_root_ephemeral_and_swap() -> None:
    flavor = f.embedded(vcpus=2, ram=1024, disk=10, ephemeral=5, swap=1025).to_api()
    placed, unplaced = f.server(status={"host": "n1", "flavor": flavor}), f.server(status={"flavor": flavor})
    view = ClusterView()
    view.bind({cluster_view.SERVERS: {ServerRef("demo", "a"): [placed], ServerRef("demo", "b"): [unplaced]}})
    assert view.placements() == [PlacedServer(f.SERVER_UID, "n1", 2, 1024, 17)]


class Listing:
    """The cluster view ``PlacementLedger.place`` reads, in memory; ``indexed`` are the persisted
    placements it shows."""

    def __init__(self, nodes: list[dict[str, Any]], aggregates: list[AggregateInfo] | None = None) -> None:
        self.nodes, self.aggregates = [indexes.node_info(n) for n in nodes], aggregates or []
        self.indexed: list[PlacedServer] = []

    def compute_nodes(self) -> list[NodeInfo]:
        return self.nodes

    def aggregate_infos(self) -> list[AggregateInfo]:
        return self.aggregates

    def placements(self) -> list[PlacedServer]:
        return self.indexed

    def showing(self, indexed: list[PlacedServer]) -> Listing:
        self.indexed = indexed
        return self


def make_placement(listing: Listing) -> placement.PlacementLedger:
    return placement.PlacementLedger(
        Settings(cpu_allocation_ratio=1.0, ram_allocation_ratio=1.0).scheduler_config()
    )


async def place_all(
    service: placement.PlacementLedger,
    listing: Listing,
    count: int,
    indexed: list[PlacedServer],
    prefix: str = "uid",
) -> tuple[dict[str, str], int]:
    """Place ``count`` one-vCPU servers concurrently; persisting takes a random while."""
    persisted: dict[str, str] = {}
    failures = 0

    async def one(i: int) -> None:
        nonlocal failures
        spec = make_spec(f"{prefix}-{i}", vcpus=1, memory_mb=512, root_gb=1)

        async def persist(host: HostState) -> str:
            await asyncio.sleep(random.uniform(0, 0.005))
            persisted[spec.instance_uid] = host.name
            return host.name

        await asyncio.sleep(random.uniform(0, 0.002))
        try:
            await service.place(spec, listing.showing(indexed), persist)
        except NoValidHost:
            failures += 1

    await asyncio.gather(*(one(i) for i in range(count)))
    return persisted, failures


async def test_concurrent_placements_never_overcommit_even_with_a_stale_index() -> None:
    listing = Listing([node("n1"), node("n2"), node("n3")])
    persisted, failures = await place_all(
        make_placement(listing), listing, 50, indexed=[]
    )  # the index never catches up
    assert len(persisted) == 30
    assert failures == 20
    assert max(Counter(persisted.values()).values()) <= 10


async def test_after_a_restart_persisted_placements_are_the_truth() -> None:
    listing = Listing([node("n1", cpu="2"), node("n2", cpu="2")])
    before, _ = await place_all(make_placement(listing), listing, 3, indexed=[])
    survivors = [PlacedServer(uid, host, 1, 512, 1) for uid, host in before.items()]
    restarted = make_placement(listing)  # empty ledger, full index
    after, failures = await place_all(restarted, listing, 5, indexed=survivors, prefix="new")
    assert len(after) == 1
    assert failures == 4


async def test_a_server_placed_again_replaces_its_own_entry() -> None:
    listing = Listing([node("n1", cpu="1")])
    service = make_placement(listing)
    spec = make_spec("same", vcpus=1, memory_mb=512, root_gb=1)

    async def persist(host: HostState) -> str:
        return host.name

    assert await service.place(spec, listing, persist) == "n1"
    assert await service.place(spec, listing, persist) == "n1"  # not blocked by its own earlier entry
    with pytest.raises(NoValidHost):
        await service.place(make_spec("other", vcpus=1, memory_mb=512, root_gb=1), listing, persist)


async def test_refused_writes_and_vanished_servers_release_the_entry() -> None:
    listing = Listing([node("n1", cpu="1")])
    service = make_placement(listing)

    async def refused(host: HostState) -> str:
        raise k8s.Invalid(422, "Invalid", "no")

    async def vanished(host: HostState) -> None:
        return None

    spec = make_spec("a", vcpus=1, memory_mb=512, root_gb=1)
    with pytest.raises(k8s.Invalid):
        await service.place(spec, listing, refused)
    assert await service.place(spec, listing, vanished) is None
    assert service.usage([]) == []


async def test_unknown_write_outcome_keeps_the_entry_until_release() -> None:
    listing = Listing([node("n1", cpu="1")])
    service = make_placement(listing)

    async def broken(host: HostState) -> str:
        raise k8s.KubeError(503, "ServiceUnavailable", "try later")

    with pytest.raises(k8s.KubeError):
        await service.place(make_spec("a", vcpus=1, memory_mb=512, root_gb=1), listing, broken)
    assert [p.uid for p in service.usage([])] == ["a"]
    service.release("a")
    assert service.usage([]) == []


def test_released_servers_stop_counting_before_the_index_drops_them() -> None:
    service = make_placement(Listing([]))
    indexed = [PlacedServer("gone", "n1", 1, 1, 1), PlacedServer("b", "n1", 1, 1, 1)]
    service.release("gone")
    assert [p.uid for p in service.usage(indexed)] == ["b"]
    # The index caught up: the tombstone is forgotten, and a new server with that uid would count.
    assert [p.uid for p in service.usage(indexed[1:])] == ["b"]
    assert len(service.usage(indexed)) == 2


def test_usage_overlays_the_ledger_on_the_index() -> None:
    service = make_placement(Listing([]))
    service._claim(PlacedServer("a", "n2", 1, 1, 1))
    indexed = [PlacedServer("a", "n1", 1, 1, 1), PlacedServer("b", "n1", 1, 1, 1)]
    assert sorted((p.uid, p.host) for p in service.usage(indexed)) == [("a", "n2"), ("b", "n1")]
    assert [p.uid for p in service.usage(indexed, exclude="a")] == ["b"]


async def test_the_admission_check_runs_under_the_lock_so_concurrent_servers_never_pass_a_quota() -> None:
    """The quota recheck is made against every placement held (index + this process's ledger),
    one decision at a time: 50 concurrent servers, quota 7, exactly 7 are placed."""
    listing = Listing([node("n1"), node("n2"), node("n3")])
    service = make_placement(listing)
    persisted: dict[str, str] = {}
    refused: list[str] = []

    def admit(held: list[PlacedServer]) -> None:
        if len(held) + 1 > 7:
            raise quotas.QuotaExceeded("Quota exceeded for instances")

    async def one(i: int) -> None:
        spec = make_spec(f"q-{i}", vcpus=1, memory_mb=512, root_gb=1)

        async def persist(host: HostState) -> str:
            await asyncio.sleep(random.uniform(0, 0.005))
            persisted[spec.instance_uid] = host.name
            return host.name

        try:
            await service.place(spec, listing.showing([]), persist, admit)
        except quotas.QuotaExceeded:
            refused.append(spec.instance_uid)

    await asyncio.gather(*(one(i) for i in range(50)))
    assert len(persisted) == 7
    assert len(refused) == 43
    assert not set(refused) & persisted.keys()


async def test_a_resize_is_admitted_against_the_placements_with_its_own_source() -> None:
    """The quota recheck of a resize sees the server's own (source) placement among those held,
    never its target hold, and nothing is held when it refuses."""
    listing = Listing([node("n1"), node("n2")])
    service = make_placement(listing)
    source = PlacedServer("srv", "n1", 2, 1024, 2)
    listing.indexed = [source, PlacedServer("peer", "n2", 1, 512, 1)]
    seen: list[set[str]] = []

    def admit(held: list[PlacedServer]) -> None:
        seen.append({p.uid for p in held})
        raise quotas.QuotaExceeded("Quota exceeded for cores")

    async def persist(host: HostState) -> str:
        raise AssertionError("nothing to persist")

    with pytest.raises(quotas.QuotaExceeded):
        await service.place_resize(make_spec("srv", vcpus=4), listing, persist, source=source, admit=admit)
    assert seen == [{"srv", "peer"}]
    assert {p.uid for p in service.usage(listing.placements())} == {"srv", "peer"}


async def test_own_placements_are_io_ops_until_the_view_shows_the_server_idle() -> None:
    listing = Listing([node("n1", cpu="4")])
    service = make_placement(listing)

    async def persisted(host: HostState) -> str:
        return host.name

    await service.place(make_spec("a", vcpus=1, memory_mb=512, root_gb=1), listing, persisted)
    assert [(p.uid, p.io_op) for p in service.usage([])] == [("a", True)]  # not in the view yet: building
    assert [p.io_op for p in service.usage([PlacedServer("a", "n1", 1, 512, 1, io_op=False)])] == [False]
    assert [p.io_op for p in service.usage([PlacedServer("a", "n1", 1, 512, 1, io_op=True)])] == [True]
