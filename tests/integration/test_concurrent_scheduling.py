"""50 Servers at once against capacity for 30: exactly 30 ACTIVE, 20 ERROR (NoValidHost), and no
Node ever holds more than it can — also when the operator is SIGKILLed in the middle (while the
first 15 are placed; the other 35 are created while it is down, so the kill always comes before
the capacity is used up, however fast the operator places).

The Nodes are the test's own (simulator-managed, exact capacity) and form a dedicated
availability zone with allocation ratio 1.0, so nothing else in the session competes for them.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.integration.compute import Compute, Obj, unique
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

NODES = 3
SLOTS_PER_NODE = 10
SERVERS = 50
SETTLE_TIMEOUT = 300.0


@dataclass
class Zone:
    name: str
    nodes: list[str]
    flavor: str
    image: str


@pytest.fixture
def zone(managed_node: ManagedNodeFactory, compute: Compute) -> Zone:
    """Three Nodes with 10 vCPUs each (RAM and disk to spare) in their own zone, ratio 1.0."""
    nodes = [managed_node(unique("cap"), cpu=str(SLOTS_PER_NODE), memory="64Gi") for _ in range(NODES)]
    name = unique("az-cap")
    ratios = {"cpu_allocation_ratio": "1.0", "ram_allocation_ratio": "1.0"}
    compute.aggregate(zone=name, hosts=nodes, metadata=ratios)
    return Zone(name, nodes, compute.flavor(vcpus=1, ram=128, disk=1), compute.image())


def create_all(compute: Compute, zone: Zone, names: list[str] | None = None) -> list[str]:
    names = [f"srv-{i:02d}" for i in range(SERVERS)] if names is None else names

    def create(name: str) -> None:
        compute.create_server(name, flavor=zone.flavor, image=zone.image, availabilityZone=zone.name)

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(create, names))
    return names


def placements(servers: list[Obj]) -> Counter[str]:
    return Counter(s["status"]["host"] for s in servers if (s.get("status") or {}).get("host"))


def assert_never_overcommitted(servers: list[Obj], zone: Zone) -> None:
    for host, count in placements(servers).items():
        assert host in zone.nodes, f"server placed outside the zone on {host}"
        assert count <= SLOTS_PER_NODE, f"{host} holds {count} one-vCPU servers, capacity {SLOTS_PER_NODE}"


def settle(compute: Compute, zone: Zone) -> list[Obj]:
    """Wait until every Server is ACTIVE or ERROR and idle, checking capacity on every look."""
    deadline = time.monotonic() + SETTLE_TIMEOUT

    def settled() -> list[Obj] | None:
        servers = compute.servers()
        assert_never_overcommitted(servers, zone)
        states = [
            ((s.get("status") or {}).get("status"), (s.get("status") or {}).get("taskState")) for s in servers
        ]
        if len(servers) == SERVERS and all(st in ("ACTIVE", "ERROR") and task is None for st, task in states):
            return servers
        return None

    result = wait_for(
        settled, timeout=max(1.0, deadline - time.monotonic()), interval=0.5, message="all servers settled"
    )
    assert result is not None
    return result


def assert_exactly_capacity(compute: Compute, zone: Zone, servers: list[Obj]) -> None:
    by_status = Counter(s["status"]["status"] for s in servers)
    assert by_status == {"ACTIVE": NODES * SLOTS_PER_NODE, "ERROR": SERVERS - NODES * SLOTS_PER_NODE}
    for server in servers:
        status = server["status"]
        if status["status"] == "ERROR":
            assert status["fault"]["message"] == "No valid host was found."
            assert status.get("host") is None
    assert placements(servers) == dict.fromkeys(zone.nodes, SLOTS_PER_NODE)

    active = {s["metadata"]["name"]: s for s in servers if s["status"]["status"] == "ACTIVE"}
    vms = compute.vms()
    assert sorted(vm["metadata"]["name"] for vm in vms) == sorted(active), "one VM per ACTIVE server, no more"
    for vm in vms:
        server = active[vm["metadata"]["name"]]
        owners = [ref["uid"] for ref in vm["metadata"]["ownerReferences"]]
        assert owners == [server["metadata"]["uid"]]
        node_selector = vm["spec"]["template"]["spec"]["nodeSelector"]
        assert node_selector == {"kubernetes.io/hostname": server["status"]["host"]}
        vmi = compute.vmi(vm["metadata"]["name"])
        assert vmi is not None
        assert vmi["status"]["nodeName"] == server["status"]["host"]


def test_fifty_servers_for_thirty_slots(compute: Compute, zone: Zone) -> None:
    create_all(compute, zone)
    assert_exactly_capacity(compute, zone, settle(compute, zone))


def test_fifty_servers_for_thirty_slots_with_the_operator_killed_midway(
    compute: Compute, zone: Zone, operator: OperatorHandle
) -> None:
    names = [f"srv-{i:02d}" for i in range(SERVERS)]
    first = names[:15]  # the kill lands while these are placed: the rest come while it is down
    create_all(compute, zone, first)
    try:
        wait_for(
            lambda: sum(placements(compute.servers()).values()) >= 8,
            timeout=120,
            interval=0.1,
            message="some servers placed",
        )
        operator.kill()
        killed_at = compute.servers()
        assert_never_overcommitted(killed_at, zone)
        assert sum(placements(killed_at).values()) <= len(first) < NODES * SLOTS_PER_NODE
        create_all(compute, zone, names[len(first) :])
    finally:
        operator.start()
    assert_exactly_capacity(compute, zone, settle(compute, zone))
