"""The placement ledger decides while earlier decisions are still being written: the lock covers
the decision and the claim, never the status patch. And it follows the view's placement feed
instead of summing every Server at each decision (``PlacementLedger.follow``)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from kubenova import k8s
from kubenova.handlers.cluster_view import ClusterView
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_state import HostState, PlacedServer
from tests.unit.operator import factories as f
from tests.unit.operator.test_placement import Listing, make_placement, node
from tests.unit.scheduler.factories import make_spec


async def _until(condition: object) -> None:
    while not condition():  # type: ignore[operator]
        await asyncio.sleep(0)


async def test_decisions_overlap_slow_writes_without_overcommitting_and_refused_writes_free_claims() -> None:
    """60 servers for 30 vCPUs, every write held back until all decisions are made: the 30 that
    fit are all written at the same time (no lock across the write), never more than a host's
    10 on one host; the writes refused (422) free their claims, so as many later servers fit."""
    listing = Listing([node("n1"), node("n2"), node("n3")])
    service = make_placement(listing)
    gate = asyncio.Event()
    writing: list[str] = []
    persisted: dict[str, str] = {}
    refused: list[str] = []
    no_host: list[str] = []

    async def one(i: int) -> None:
        spec = make_spec(f"s-{i}", vcpus=1, memory_mb=512, root_gb=1)

        async def persist(host: HostState) -> str:
            writing.append(spec.instance_uid)
            await gate.wait()
            if i % 5 == 0:
                raise k8s.Invalid(422, "Invalid", "refused")
            persisted[spec.instance_uid] = host.name
            return host.name

        try:
            await service.place(spec, listing.showing([]), persist)
        except NoValidHost:
            no_host.append(spec.instance_uid)
        except k8s.Invalid:
            refused.append(spec.instance_uid)

    tasks = [asyncio.create_task(one(i)) for i in range(60)]
    await _until(lambda: len(writing) + len(no_host) == 60)
    assert len(writing) == 30  # every write in flight at once, each decided while the others wait
    assert len(no_host) == 30
    assert max(Counter(p.host for p in service.usage([])).values()) <= 10
    gate.set()
    await asyncio.gather(*tasks)
    assert len(refused) == 6  # s-0, s-5, ... among those placed
    assert len(persisted) == 24
    held = service.usage([])
    assert {p.uid for p in held} == set(persisted)  # the refused writes hold nothing any more

    # The freed capacity is really free: exactly 6 more fit, on the hosts the refusals left.
    later: list[str] = []

    async def written(host: HostState) -> str:
        later.append(host.name)
        return host.name

    for i in range(6):
        await service.place(make_spec(f"late-{i}", vcpus=1, memory_mb=512, root_gb=1), listing, written)
    with pytest.raises(NoValidHost):
        await service.place(make_spec("one-too-many", vcpus=1, memory_mb=512, root_gb=1), listing, written)
    assert Counter(p.host for p in service.usage([])) == {"n1": 10, "n2": 10, "n3": 10}


async def test_a_resize_claims_its_target_before_the_write_and_a_refused_write_frees_it() -> None:
    listing = Listing([node("n1", cpu="2"), node("n2", cpu="2")])
    service = make_placement(listing)
    source = PlacedServer("srv", "n1", 2, 512, 1)
    listing.indexed = [source]
    gate = asyncio.Event()

    async def refused_later(host: HostState) -> str:
        await gate.wait()
        raise k8s.Invalid(422, "Invalid", "refused")

    resize = asyncio.create_task(
        service.place_resize(make_spec("srv", vcpus=2), listing, refused_later, source=source)
    )
    await _until(lambda: len(service.usage(listing.placements())) == 2)
    assert {(p.uid, p.host) for p in service.usage(listing.placements())} == {
        ("srv", "n1"),
        ("srv/resize", "n2"),
    }

    async def never(host: HostState) -> str:
        raise AssertionError("nothing fits while the resize holds n2")

    with pytest.raises(NoValidHost):  # decided while the resize's write is in flight
        await service.place(make_spec("other", vcpus=1), listing, never)
    gate.set()
    with pytest.raises(k8s.Invalid):
        await resize
    assert {p.uid for p in service.usage(listing.placements())} == {"srv"}


class _NoListing(Listing):
    def placements(self) -> list[PlacedServer]:
        raise AssertionError("a ledger following the view's feed never lists every placement")


async def test_a_ledger_following_the_view_counts_each_server_as_its_copies_change() -> None:
    view, listing = ClusterView(), _NoListing([node("n1", cpu="2")])
    service = make_placement(listing)
    service.follow(view.feed)
    flavor = f.embedded(vcpus=1, ram=512, disk=1).to_api()
    first = f.server(status={"host": "n1", "flavor": flavor, "vmState": "active"})
    view.feed.seen(first)
    assert [(p.uid, p.host, p.io_op) for p in service.usage([])] == [(f.SERVER_UID, "n1", False)]
    stale = f.server(status={"flavor": flavor}, resourceVersion="3")
    view.feed.seen(stale)  # an older copy changes nothing
    assert len(service.usage([])) == 1

    async def persist(host: HostState) -> str:
        return host.name

    await service.place(make_spec("b", vcpus=1), listing, persist)
    with pytest.raises(NoValidHost):  # n1's 2 vCPUs: the viewed server and the claim
        await service.place(make_spec("c", vcpus=1), listing, persist)
    view.feed.gone(f.SERVER_UID)
    assert [p.uid for p in service.usage([])] == ["b"]
    assert await service.place(make_spec("c", vcpus=1), listing, persist) == "n1"


async def test_a_release_holds_until_the_view_shows_the_server_without_its_host() -> None:
    view, listing = ClusterView(), _NoListing([node("n1", cpu="1")])
    service = make_placement(listing)
    service.follow(view.feed)
    flavor = f.embedded(vcpus=1, ram=512, disk=1).to_api()
    view.feed.seen(f.server(status={"host": "n1", "flavor": flavor}))
    service.release(f.SERVER_UID)  # e.g. shelve-offloaded: the view still shows the old host
    assert service.usage([]) == []
    view.feed.seen(f.server(status={"host": "n1", "flavor": flavor}, resourceVersion="8"))
    assert service.usage([]) == []  # a copy that lags behind the release does not count again
    view.feed.seen(f.server(status={"flavor": flavor}, resourceVersion="9"))
    assert service.usage([]) == []
    view.feed.seen(f.server(status={"host": "n1", "flavor": flavor}, resourceVersion="10"))
    assert [p.uid for p in service.usage([])] == [f.SERVER_UID]  # placed again (unshelved)
