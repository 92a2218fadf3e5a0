"""The cluster view: the freshest copy wins (index, our own last write, an event's body), our
writes are forgotten once the watch shows them, and waiting builds wake on a change."""

from __future__ import annotations

import asyncio

import pytest

from kubenova.handlers import cluster_view, label_selector
from kubenova.handlers.cluster_view import ClusterView
from kubenova.handlers.view_keys import IndexedNode, ServerRef
from kubenova.resources.server import Server
from kubenova.scheduler.host_state import NodeInfo
from tests.unit.operator import factories as f

REF = ServerRef("demo", "web-1")


def at(version: int, **status: object) -> Server:
    return f.server(status=dict(status), resourceVersion=str(version))


def view_with(servers: dict[ServerRef, list[Server]]) -> ClusterView:
    view = ClusterView()
    view.bind({cluster_view.SERVERS: servers})
    return view


def test_our_write_is_seen_before_the_watch_shows_it_and_forgotten_after() -> None:
    index = {REF: [at(7)]}
    view = view_with(index)
    view.remember(cluster_view.SERVERS, REF, at(8, host="n1"))
    found = view.server(REF)
    assert found is not None
    assert found.status.host == "n1"
    index[REF] = [at(9, host="n1", vmName="web-1")]  # the watch caught up (and went further)
    found = view.server(REF)
    assert found is not None
    assert found.status.vm_name == "web-1"
    assert (cluster_view.SERVERS, REF) not in view._written


def test_an_events_body_counts_when_it_is_the_newest() -> None:
    view = view_with({REF: [at(7)]})
    seen = view.server(REF, at(10, host="n2"))
    assert seen is not None
    assert seen.status.host == "n2"
    assert view.server(REF, at(3)) is not None
    assert view.server(ServerRef("demo", "nope")) is None


def test_placements_come_from_every_server_with_host_and_flavor() -> None:
    flavor = f.embedded(vcpus=2, ram=1024, disk=1).to_api()
    other = ServerRef("demo", "other")
    view = view_with({REF: [at(1, host="n1", flavor=flavor)], other: [at(1)]})
    assert [(p.host, p.vcpus, p.memory_mb, p.disk_gb) for p in view.placements()] == [("n1", 2, 1024, 1)]


def test_placements_of_building_or_moving_servers_are_io_ops() -> None:
    flavor = f.embedded(vcpus=2, ram=1024, disk=1).to_api()
    for status, io_op in (
        ({"vmState": "building", "taskState": "spawning"}, True),
        ({"vmState": "active", "taskState": "rebuilding"}, True),
        ({"vmState": "active", "taskState": "rebooting"}, False),
        ({"vmState": "active"}, False),
    ):
        view = view_with({REF: [at(1, host="n1", flavor=flavor, **status)]})
        assert [p.io_op for p in view.placements()] == [io_op]


def test_placements_of_servers_whose_build_failed_are_counted_as_failed_builds() -> None:
    flavor = f.embedded(vcpus=2, ram=1024, disk=1).to_api()
    for status, failed in (
        ({"vmState": "error"}, True),
        ({"vmState": "error", "launchedAt": "2026-01-01T00:00:00Z"}, False),
        ({"vmState": "active", "launchedAt": "2026-01-01T00:00:00Z"}, False),
    ):
        view = view_with({REF: [at(1, host="n1", flavor=flavor, **status)]})
        assert [p.failed_build for p in view.placements()] == [failed]


def node(name: str, **labels: str) -> IndexedNode:
    return IndexedNode(NodeInfo(name, cpu=4, memory_mb=4096, disk_gb=10, labels=labels), "1")


def test_compute_nodes_follow_the_selector() -> None:
    view = ClusterView("kubenova.io/compute=true")
    view.bind({cluster_view.NODES: {"a": [node("a", **{"kubenova.io/compute": "true"})], "b": [node("b")]}})
    assert [n.name for n in view.compute_nodes()] == ["a"]
    assert sorted(n.info.name for n in view.nodes()) == ["a", "b"]


@pytest.mark.parametrize(
    ("selector", "labels", "matches"),
    [
        ("", {}, True),
        ("a=b", {"a": "b"}, True),
        ("a==b", {"a": "c"}, False),
        ("a!=b", {}, True),
        ("a", {"a": "x"}, True),
        ("!a", {"a": "x"}, False),
        ("a in (x, y),b", {"a": "y", "b": ""}, True),
        ("a notin (x,y)", {"a": "x"}, False),
        ("a notin (x,y)", {}, True),
        ("a=b, c=d", {"a": "b"}, False),
    ],
)
def test_label_selectors(selector: str, labels: dict[str, str], matches: bool) -> None:
    assert label_selector.matches(selector, labels) is matches


async def test_waiting_wakes_on_a_change_and_times_out_without() -> None:
    view = ClusterView()
    waiting = asyncio.create_task(view.changed(5))
    await asyncio.sleep(0)
    view.touch()
    await asyncio.wait_for(waiting, 1)
    started = asyncio.get_running_loop().time()
    await view.changed(0.05)
    assert asyncio.get_running_loop().time() - started >= 0.04


async def test_a_node_heartbeat_is_no_change() -> None:
    view = ClusterView()
    view.node_seen(node("a").info)
    waiting = asyncio.create_task(view.changed(0.1))
    await asyncio.sleep(0)
    view.node_seen(node("a").info)  # same facts: a heartbeat
    assert not waiting.done()
    view.node_seen(NodeInfo("a", cpu=8, memory_mb=4096, disk_gb=10))
    await asyncio.wait_for(waiting, 1)


def test_a_delete_is_sent_once() -> None:
    view = ClusterView()
    assert view.begin_delete("uid-1")
    assert not view.begin_delete("uid-1")
    view.deleted("uid-1")
    assert view.begin_delete("uid-1")


def test_forgetting_a_deleted_object_keeps_a_newer_one_of_the_same_name() -> None:
    view = view_with({})
    view.remember(cluster_view.SERVERS, REF, f.server(uid="new", resourceVersion="9"))
    view.forget(cluster_view.SERVERS, REF, "old")
    assert view.server(REF) is not None
    view.forget(cluster_view.SERVERS, REF, "new")
    assert view.server(REF) is None


def test_servers_of_one_namespace_are_found_without_reading_the_others() -> None:
    index: dict[ServerRef, list[Server]] = {REF: [at(7)]}
    view = view_with(index)
    other = f.server(name="db-1", namespace="other", uid="u-other")
    index[ServerRef("other", "db-1")] = [other]
    view.feed.seen(other)  # what the Server index function does for each watch event
    assert [s.metadata.name for s in view.servers_in("demo")] == ["web-1"]
    assert [s.metadata.uid for s in view.servers_in("other")] == ["u-other"]
    del index[ServerRef("other", "db-1")]  # kopf dropped it on DELETED ...
    view.feed.gone("u-other", ServerRef("other", "db-1"))  # ... and the event handler says so
    assert view.servers_in("other") == []
