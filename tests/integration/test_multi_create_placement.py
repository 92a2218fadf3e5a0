"""A multi-create is scheduled as ONE request (issue 9 item 8, issue 12 items 1 and 5): every
member gets a host, chosen on host states holding the earlier members, or every member goes to
ERROR and none is built. The members are written as the gateway writes them (reservation id,
size and launch index in the create), on the test's own simulator Nodes: a zone of 2-vCPU slots
with allocation ratio 1.0, so nothing else in the session competes for them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from kubenova import status as kstatus
from kubenova.domain import flavors, names
from kubenova.resources import GROUP, VERSION
from kubenova.resources.flavor import Flavor
from kubenova.resources.image import Image
from kubenova.resources.server import Server
from kubenova.status import action_records, operations
from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.integration.compute import Compute, unique
from tests.integration.test_quota_enforcement import LIMITS, Project, project  # noqa: F401 - fixture
from tests.integration.test_server_groups import make_group
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

NOT_ENOUGH = "There are not enough hosts available."


@dataclass
class Zone:
    name: str
    nodes: list[str]
    flavor: str
    image: str


def _zone(managed_node: ManagedNodeFactory, compute: Compute, nodes: int) -> Zone:
    """``nodes`` Nodes of 4 vCPUs (two 2-vCPU servers each) in their own zone, ratio 1.0."""
    made = [managed_node(unique("mc"), cpu="4", memory="64Gi") for _ in range(nodes)]
    name = unique("az-mc")
    compute.aggregate(zone=name, hosts=made, metadata={"cpu_allocation_ratio": "1.0"})
    return Zone(name, made, compute.flavor(vcpus=2, ram=128, disk=1), compute.image())


@pytest.fixture
def three_nodes(managed_node: ManagedNodeFactory, compute: Compute) -> Zone:
    return _zone(managed_node, compute, 3)


@pytest.fixture
def two_nodes(managed_node: ManagedNodeFactory, compute: Compute) -> Zone:
    return _zone(managed_node, compute, 2)


def member_body(reservation: str, size: int, index: int, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Server",
        "metadata": {
            "name": f"{reservation}-{index}",
            "annotations": {
                names.RESERVATION_ID_ANNOTATION: reservation,
                names.RESERVATION_SIZE_ANNOTATION: str(size),
                names.LAUNCH_INDEX_ANNOTATION: str(index),
            },
        },
        "spec": spec,
    }


def create_set(compute: Compute, zone: Zone, reservation: str, size: int, **extra: Any) -> list[str]:
    spec = {"flavor": zone.flavor, "image": zone.image, "availabilityZone": zone.name, **extra}
    for index in range(size):
        body = member_body(reservation, size, index, spec)
        compute.custom.create_namespaced_custom_object(GROUP, VERSION, compute.namespace, "servers", body)
    return [f"{reservation}-{index}" for index in range(size)]


def test_a_set_that_fits_only_in_part_is_refused_whole_and_nothing_is_built(
    compute: Compute, three_nodes: Zone
) -> None:
    """Six slots, seven members: the first six would fit, so member by member six would build."""
    members = create_set(compute, three_nodes, "r-over", 7)
    for name in members:
        server = compute.wait_status(name, "ERROR", timeout=60)
        fault = server["status"]["fault"]
        assert fault["message"] == f"No valid host was found. {NOT_ENOUGH}"
        assert fault["details"].startswith("6 of the 7 instances of the request found a host. "), fault
        assert "CoreFilter: (start: 3, end: 0)" in fault["details"]
        assert server["status"].get("host") is None
    for name in members:  # every member has reached ERROR: none got a VM meanwhile, none will
        assert compute.vm(name) is None, f"{name} got a VirtualMachine although its request was refused"
        assert compute.vmi(name) is None
    assert "Scheduled" not in {r for name in members for r in compute.events_for(name)}


def test_a_set_that_fits_is_spread_by_the_weighers_and_every_member_runs_where_its_status_says(
    compute: Compute, three_nodes: Zone
) -> None:
    members = create_set(compute, three_nodes, "r-fits", 3)
    hosts = []
    for name in members:
        server = compute.wait_status(name, "ACTIVE", timeout=90)
        vmi = compute.vmi(name)
        assert vmi is not None
        assert vmi["status"]["nodeName"] == server["status"]["host"]
        hosts.append(server["status"]["host"])
    assert sorted(hosts) == sorted(three_nodes.nodes), "the RAM weigher spreads a set as Nova does"
    assert sorted(vm["metadata"]["name"] for vm in compute.vms()) == sorted(members)


def test_two_sets_racing_for_room_for_one_get_one_whole_set(compute: Compute, three_nodes: Zone) -> None:
    """Six slots, two requests of four created at once: one request runs whole, the other is
    refused whole — never six servers of both."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        sets = list(pool.map(lambda r: create_set(compute, three_nodes, r, 4), ["r-a", "r-b"]))

    def settled(name: str) -> str:
        found: dict[str, Any] = wait_for(
            lambda: (
                (compute.server(name).get("status") or {}).get("status") in ("ACTIVE", "ERROR")
                and compute.server(name)
            ),
            timeout=90,
            message=f"{name} settled",
        )
        return str(found["status"]["status"])

    outcomes = [{settled(name) for name in members} for members in sets]
    assert sorted(map(sorted, outcomes)) == [["ACTIVE"], ["ERROR"]], outcomes
    refused = sets[outcomes.index({"ERROR"})]
    assert all(compute.vm(name) is None for name in refused)


def test_anti_affinity_holds_across_the_set_and_one_member_too_many_refuses_it_whole(
    compute: Compute, three_nodes: Zone
) -> None:
    """Room for six, but an anti-affinity group of four members on three Nodes: every member
    ERROR, the details name the group filter, no VM."""
    group = make_group(compute, "anti-affinity")
    members = create_set(compute, three_nodes, "r-anti", 4, schedulerHints={"group": group})
    for name in members:
        fault = compute.wait_status(name, "ERROR", timeout=60)["status"]["fault"]
        assert fault["message"] == f"No valid host was found. {NOT_ENOUGH}"
        assert "3 of the 4 instances" in fault["details"]
        assert "ServerGroupAntiAffinityFilter: (start: 3, end: 0)" in fault["details"], fault
    assert all(compute.vm(name) is None for name in members)


def test_affinity_puts_the_whole_set_on_one_node(compute: Compute, three_nodes: Zone) -> None:
    """The RAM weigher alone would spread the two members; the group keeps them together."""
    group = make_group(compute, "affinity")
    members = create_set(compute, three_nodes, "r-aff", 2, schedulerHints={"group": group})
    hosts = {compute.wait_status(name, "ACTIVE", timeout=90)["status"]["host"] for name in members}
    assert len(hosts) == 1
    nodes = {(compute.vmi(name) or {}).get("status", {}).get("nodeName") for name in members}
    assert nodes == hosts


def _write_placement(compute: Compute, name: str, host: str, zone: Zone) -> None:
    """The status patch the operator writes when it places ``name`` on ``host`` (built with the
    operator's own pure code, as its placement write would be)."""
    server = Server.model_validate(compute.server(name))
    flavor = flavors.embed(Flavor.model_validate(compute.get_cluster_object("flavors", zone.flavor)))
    image = Image.model_validate(compute.get_cluster_object("images", zone.image))
    transition = operations.placed(server, host=host, zone=zone.name, flavor=flavor, image_id=image.image_id)
    assert transition is not None
    transition = transition.recording(action_records.recorded_at_once(server))
    patch = kstatus.render(server, transition, now="2026-01-01T00:00:00Z")
    assert patch is not None
    compute.custom.patch_namespaced_custom_object_status(
        GROUP, VERSION, compute.namespace, "servers", name, {"status": patch}
    )


def test_an_operator_stopped_between_member_writes_places_the_rest_next_to_the_placed_ones(
    compute: Compute, two_nodes: Zone, operator: OperatorHandle
) -> None:
    """Four slots, four members; the operator died after writing the first two members' hosts
    (both on the first Node, so it is full): on restart those two are built where they are, the
    other two are placed as the rest of the request — both on the second Node — and no server
    gets two VMs."""
    first, second = two_nodes.nodes
    operator.kill()
    try:
        members = create_set(compute, two_nodes, "r-restart", 4)
        for name in members[:2]:
            _write_placement(compute, name, first, two_nodes)
    finally:
        operator.start()
    servers = {name: compute.wait_status(name, "ACTIVE", timeout=90) for name in members}
    assert [servers[n]["status"]["host"] for n in members] == [first, first, second, second]
    vms = compute.vms()
    assert sorted(vm["metadata"]["name"] for vm in vms) == sorted(members), "one VM per member"
    for vm in vms:
        server = servers[vm["metadata"]["name"]]
        assert [ref["uid"] for ref in vm["metadata"]["ownerReferences"]] == [server["metadata"]["uid"]]
        vmi = compute.vmi(vm["metadata"]["name"])
        assert vmi is not None
        assert vmi["status"]["nodeName"] == server["status"]["host"]


def test_a_set_over_the_project_quota_as_a_whole_is_refused_whole(project: Project, compute: Compute) -> None:  # noqa: F811
    """Created straight at the API server (no gateway pre-check), each member fits the quota on
    its own; together they pass the instances limit: every member ERROR with Nova's quota
    fault, no VM for any."""
    size = LIMITS["instances"] + 1
    flavor, image = compute.flavor(vcpus=1, ram=64, disk=1), compute.image()
    for index in range(size):
        body = member_body("r-quota", size, index, {"flavor": flavor, "image": image})
        project.custom.create_namespaced_custom_object(GROUP, VERSION, project.namespace, "servers", body)
    members = {f"r-quota-{index}" for index in range(size)}
    limit = LIMITS["instances"]
    expected = f"Quota exceeded for instances: Requested {size}, but already used 0 of {limit} instances"

    def settled() -> list[dict[str, Any]] | None:
        servers = [s for s in project.servers() if s["metadata"]["name"] in members]
        done = [s for s in servers if (s.get("status") or {}).get("status") in ("ERROR", "ACTIVE")]
        return servers if len(done) == size else None

    servers = wait_for(settled, timeout=60, message="every member settled")
    for server in servers:
        assert server["status"]["status"] == "ERROR"
        assert server["status"]["fault"]["message"] == expected
        assert server["status"].get("host") is None
    assert not [vm for vm in project.vms() if vm["metadata"]["name"] in members]
