"""Server groups in the operator: the group a Server names (references), its members from the
cluster view (``scheduling.with_group``), and concurrent members placed by the ledger."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from kubenova.handlers import cluster_view
from kubenova.handlers.cluster_view import ClusterView
from kubenova.handlers.servers import references, scheduling
from kubenova.handlers.view_keys import ServerRef
from kubenova.resources.server import Server
from kubenova.resources.server_group import ServerGroup
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_state import HostState
from tests.unit.operator import factories as f
from tests.unit.operator.test_placement import Listing, make_placement, node
from tests.unit.scheduler.factories import make_spec

GROUP_UID = "9a9a9a9a-0000-4000-8000-000000000009"


def group(policy: str = "anti-affinity", namespace: str = "demo", **rules: Any) -> ServerGroup:
    return ServerGroup.model_validate(
        {
            "metadata": {"name": "g1", "namespace": namespace, "uid": GROUP_UID},
            "spec": {"name": "g1", "policy": policy, "rules": rules},
        }
    )


def member(index: int, **meta: Any) -> Server:
    uid = f"5f0c3f5e-0000-4000-8000-00000000010{index}"
    return f.server(spec={"schedulerHints": {"group": GROUP_UID}}, name=f"web-{index}", uid=uid, **meta)


def view_of(servers: list[Server], groups: list[ServerGroup]) -> ClusterView:
    view = ClusterView()
    view.bind(
        {
            cluster_view.SERVERS: {ServerRef("demo", s.metadata.name): [s] for s in servers},
            cluster_view.SERVER_GROUPS: {g.group_id: [g] for g in groups},
        }
    )
    return view


def test_with_group_names_the_policy_rules_and_the_other_members() -> None:
    placed = member(2)
    placed.status.host = "n2"
    servers = [member(1), placed, member(3, deletionTimestamp="2026-01-01T00:00:00Z"), f.server()]
    view = view_of(servers, [group(maxServerPerHost=2)])
    spec = scheduling.with_group(make_spec(servers[0].server_id), view, servers[0])
    assert spec.group is not None
    assert spec.group.policy == "anti-affinity"
    assert spec.group.max_server_per_host == 2
    assert spec.group.members == {servers[1].server_id}  # not itself, not one being deleted
    assert spec.group.hosts == {"n2"}  # where the persisted members run


def test_without_the_hint_or_with_the_group_gone_nothing_is_asked() -> None:
    assert scheduling.with_group(make_spec(), view_of([], [group()]), f.server()).group is None
    assert scheduling.with_group(make_spec(), view_of([], []), member(1)).group is None


def test_the_group_must_exist_in_the_servers_project() -> None:
    assert references.group(view_of([], [group()]), member(1)) is not None
    with pytest.raises(references.MissingReference, match=f"Instance group {GROUP_UID} could not be found."):
        references.group(view_of([], []), member(1))
    with pytest.raises(references.MissingReference):
        references.group(view_of([], [group(namespace="other")]), member(1))
    assert references.group(view_of([], []), f.server()) is None


async def test_concurrent_anti_affinity_members_each_get_their_own_host() -> None:
    """Five members built at once, the index never catching up: the ledger's own placements are
    seen inside the lock, so no two share a host, and a sixth finds none."""
    servers = [member(i) for i in range(6)]
    view = view_of(servers, [group()])
    listing = Listing([node(f"n{i}") for i in range(5)])
    ledger = make_placement(listing)
    persisted: dict[str, str] = {}
    failures: list[NoValidHost] = []

    async def one(server: Server) -> None:
        spec = make_spec(server.server_id)

        async def persist(host: HostState) -> str:
            await asyncio.sleep(random.uniform(0, 0.005))
            persisted[server.server_id] = host.name
            return host.name

        await asyncio.sleep(random.uniform(0, 0.002))
        try:
            await ledger.place(
                spec, listing, persist, prepare=lambda s: scheduling.with_group(s, view, server)
            )
        except NoValidHost as error:
            failures.append(error)

    await asyncio.gather(*(one(s) for s in servers))
    assert sorted(persisted.values()) == [f"n{i}" for i in range(5)]
    assert len(failures) == 1
    assert "ServerGroupAntiAffinityFilter: (start: 5, end: 0)" in failures[0].details
