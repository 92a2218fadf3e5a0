"""Evacuation (``spec.evacuate``, what the gateway writes for Nova's ``evacuate``) on KubeVirt:
the server's Node goes down (the simulator's ``ready=false``: kubelet and virt-handler gone, the
VMI left as it was), the operator pins the VM to another Node and deletes the stale VMI; once the
dead Node is fenced (the out-of-service taint) KubeVirt lets that VMI go and starts a new one on
the target from the same root disk. The server is ACTIVE there (a stopped one stays SHUTOFF),
the dead host released, the ``Migration`` (type evacuation) ``done``. No host: ERROR and the
record ``error``; a host that is up: the action fails and nothing moves; a SIGKILLed operator
finishes the move with one VM and one VMI.

Each test has its own zone of two simulator Nodes with 4 vCPUs each (allocation ratio 1.0).
"""

from __future__ import annotations

from typing import Any, cast

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import READY_ANNOTATION, ManagedNodeFactory
from tests.integration.compute import Compute, Obj, unique
from tests.integration.test_cold_migration import Zone, create, migrations, other, pinned, record_in, vmi_on
from tests.integration.test_server_groups import create_members, make_group, make_zone, running_on
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

OUT_OF_SERVICE = {"key": "node.kubernetes.io/out-of-service", "value": "nodeshutdown", "effect": "NoExecute"}


@pytest.fixture
def zone(managed_node: ManagedNodeFactory, compute: Compute) -> Zone:
    nodes = [managed_node(unique("evac"), cpu="4", memory="64Gi") for _ in range(2)]
    name = unique("az-evac")
    ratios = {"cpu_allocation_ratio": "1.0", "ram_allocation_ratio": "1.0"}
    compute.aggregate(zone=name, hosts=nodes, metadata=ratios)
    half, whole = compute.flavor(vcpus=2, ram=256, disk=1), compute.flavor(vcpus=4, ram=256)
    return Zone(name, nodes, half, whole, compute.image())


def node_down(compute: Compute, node: str) -> None:
    """The Node's kubelet and virt-handler die: it turns NotReady."""
    compute.core.patch_node(node, {"metadata": {"annotations": {READY_ANNOTATION: "false"}}})

    def not_ready() -> bool:
        conditions = compute.core.read_node(node).status.conditions or []
        return any(c.type == "Ready" and c.status == "False" for c in conditions)

    wait_for(not_ready, timeout=30, message=f"{node} NotReady")


def fence(compute: Compute, node: str) -> None:
    """The admin fences the dead Node (Kubernetes' non-graceful node shutdown taint)."""
    taints = [t.to_dict() for t in compute.core.read_node(node).spec.taints or []]
    taints = [{k: v for k, v in t.items() if v is not None} for t in taints]
    compute.core.patch_node(node, {"spec": {"taints": [*taints, OUT_OF_SERVICE]}})


def node_up(compute: Compute, node: str) -> None:
    taints = [t.to_dict() for t in compute.core.read_node(node).spec.taints or []]
    kept = [
        {k: v for k, v in t.items() if v is not None} for t in taints if t["key"] != OUT_OF_SERVICE["key"]
    ]
    patch = {"metadata": {"annotations": {READY_ANNOTATION: None}}, "spec": {"taints": kept}}
    compute.core.patch_node(node, patch)


def evacuate(compute: Compute, name: str, request_id: str, **fields: Any) -> None:
    compute.patch_server(name, {"evacuate": {"requestId": request_id, **fields}})


def settled(compute: Compute, name: str, request_id: str) -> Obj:
    def done() -> Obj | None:
        server = compute.server(name)
        records = [a for a in server["status"].get("actions", []) if a["requestId"] == request_id]
        return server if records and records[0].get("result") else None

    found = wait_for(done, timeout=60, message=f"evacuation {request_id} of {name} finished")
    assert found is not None
    return found


def action_of(server: Obj, request_id: str) -> tuple[str, str | None]:
    found = next(a for a in server["status"]["actions"] if a["requestId"] == request_id)
    return found["action"], found.get("result")


def root_volume_uids(compute: Compute, name: str) -> set[str]:
    listing = cast(
        Obj,
        compute.custom.list_namespaced_custom_object(
            "cdi.kubevirt.io", "v1beta1", compute.namespace, "datavolumes"
        ),
    )
    return {d["metadata"]["uid"] for d in listing["items"] if d["metadata"]["name"].startswith(name)}


def waiting_on_dead_node(compute: Compute, name: str, source: str) -> Obj:
    """The evacuation under way: the VM pinned to the target, the stale VMI deleted but held
    (its Node does not answer)."""

    def held() -> Obj | None:
        vmi = compute.vmi(name) or {}
        deleting = vmi.get("metadata", {}).get("deletionTimestamp")
        return vmi if deleting and vmi["status"].get("nodeName") == source else None

    found = wait_for(held, timeout=30, message=f"stale VMI of {name} deleted, held by its dead Node")
    assert found is not None
    return found


def test_evacuate_rebuilds_the_server_on_another_node_from_its_disk(compute: Compute, zone: Zone) -> None:
    first = create(compute, zone, "evac")
    source, server_id = first["status"]["host"], first["metadata"]["uid"]
    target = other(zone, source)
    old = vmi_on(compute, "evac", source)
    volumes = root_volume_uids(compute, "evac")
    assert volumes
    node_down(compute, source)
    evacuate(compute, "evac", "req-evac-1")
    stale = waiting_on_dead_node(compute, "evac", source)
    assert stale["metadata"]["uid"] == old["metadata"]["uid"]
    during = compute.server("evac")["status"]
    assert (during["taskState"], during["host"]) == ("rebuilding", source)
    assert pinned(compute, "evac") == target
    fence(compute, source)
    after = settled(compute, "evac", "req-evac-1")
    assert action_of(after, "req-evac-1") == ("evacuate", "Success")
    assert (after["status"]["vmState"], after["status"].get("taskState")) == ("active", None)
    assert after["status"]["host"] == target
    assert after["status"].get("resize") is None
    new = vmi_on(compute, "evac", target)
    assert new["metadata"]["uid"] != old["metadata"]["uid"]
    assert root_volume_uids(compute, "evac") == volumes  # the root disk is kept, not re-imported
    assert len(compute.vms()) == 1
    record = record_in(compute, server_id, "done")["spec"]
    assert (record["migrationType"], record["sourceCompute"], record["destCompute"]) == (
        "evacuation",
        source,
        target,
    )
    # The dead host is released: back up, a whole-Node server fits there (the target holds 2 of 4).
    node_up(compute, source)
    compute.create_server("fits", flavor=zone.whole, image=zone.image, availabilityZone=zone.name)
    assert compute.wait_status("fits", "ACTIVE")["status"]["host"] == source


def test_evacuated_stopped_server_stays_shutoff_on_the_target(compute: Compute, zone: Zone) -> None:
    first = create(compute, zone, "evacoff", powerState="Stopped")
    source, server_id = first["status"]["host"], first["metadata"]["uid"]
    target = other(zone, source)
    node_down(compute, source)
    evacuate(compute, "evacoff", "req-evac-off")
    after = settled(compute, "evacoff", "req-evac-off")
    assert action_of(after, "req-evac-off") == ("evacuate", "Success")
    assert (after["status"]["status"], after["status"]["host"]) == ("SHUTOFF", target)
    vm = compute.vm("evacoff")
    assert vm is not None
    assert vm["spec"]["runStrategy"] == "Halted"
    assert pinned(compute, "evacoff") == target
    assert compute.vmi("evacoff") is None
    assert record_in(compute, server_id, "done")["spec"]["destCompute"] == target


def test_stopped_at_the_end_when_asked_2_95(compute: Compute, zone: Zone) -> None:
    first = create(compute, zone, "evac95")
    source = first["status"]["host"]
    node_down(compute, source)
    fence(compute, source)
    compute.patch_server(
        "evac95", {"evacuate": {"requestId": "req-evac-95", "stopped": True}, "powerState": "Stopped"}
    )
    after = settled(compute, "evac95", "req-evac-95")
    assert action_of(after, "req-evac-95") == ("evacuate", "Success")
    assert (after["status"]["status"], after["status"]["host"]) == ("SHUTOFF", other(zone, source))
    vm = compute.vm("evac95")
    assert vm is not None
    assert vm["spec"]["runStrategy"] == "Halted"
    wait_for(lambda: compute.vmi("evac95") is None, timeout=30, message="no VMI left")


def test_a_host_that_is_up_refuses_the_evacuation(compute: Compute, zone: Zone) -> None:
    first = create(compute, zone, "evacup")
    source, server_id = first["status"]["host"], first["metadata"]["uid"]
    uid = vmi_on(compute, "evacup", source)["metadata"]["uid"]
    evacuate(compute, "evacup", "req-evac-up")
    after = settled(compute, "evacup", "req-evac-up")
    found = next(a for a in after["status"]["actions"] if a["requestId"] == "req-evac-up")
    assert (found["result"], found["message"]) == ("Error", f"Compute service of {source} is still in use.")
    assert (after["status"]["status"], after["status"]["host"]) == ("ACTIVE", source)
    assert vmi_on(compute, "evacup", source)["metadata"]["uid"] == uid
    assert pinned(compute, "evacup") == source
    assert migrations(compute, server_id) == []


def test_no_valid_host_puts_the_server_in_error_with_the_migration_in_error(
    compute: Compute, zone: Zone
) -> None:
    first = create(compute, zone, "evacfull")
    source, server_id = first["status"]["host"], first["metadata"]["uid"]
    create(compute, zone, "blocker", flavor=zone.whole)  # the other Node is full
    node_down(compute, source)
    evacuate(compute, "evacfull", "req-evac-full")
    after = settled(compute, "evacfull", "req-evac-full")
    assert action_of(after, "req-evac-full") == ("evacuate", "Error")
    assert (after["status"]["status"], after["status"]["host"]) == ("ERROR", source)
    assert "No valid host" in after["status"]["fault"]["message"]
    assert record_in(compute, server_id, "error")["spec"]["migrationType"] == "evacuation"
    assert pinned(compute, "evacfull") == source


def test_operator_killed_mid_evacuation_finishes_it(
    compute: Compute, zone: Zone, operator: OperatorHandle
) -> None:
    first = create(compute, zone, "evaccrash")
    source, server_id = first["status"]["host"], first["metadata"]["uid"]
    target = other(zone, source)
    node_down(compute, source)
    evacuate(compute, "evaccrash", "req-evac-crash")
    waiting_on_dead_node(compute, "evaccrash", source)
    operator.kill()
    try:
        during = compute.server("evaccrash")["status"]
        assert (during["taskState"], during["resize"]["migrationType"]) == ("rebuilding", "evacuation")
        fence(compute, source)
    finally:
        operator.start()
    after = settled(compute, "evaccrash", "req-evac-crash")
    assert action_of(after, "req-evac-crash") == ("evacuate", "Success")
    assert after["status"]["host"] == target
    vmi_on(compute, "evaccrash", target)
    assert len(compute.vms()) == 1
    record_in(compute, server_id, "done")  # one record, done


def test_anti_affinity_holds_across_an_evacuation(managed_node: ManagedNodeFactory, compute: Compute) -> None:
    group_zone = make_zone(managed_node, compute, 3)
    group = make_group(compute, "anti-affinity")
    create_members(compute, group_zone, group, ["aa-0", "aa-1"])
    hosts = running_on(compute, ["aa-0", "aa-1"])
    free = next(n for n in group_zone.nodes if n not in hosts.values())
    # The free Node is the busier one: without the group the weighers would choose aa-1's Node.
    compute.create_server(
        "aa-busy", flavor=compute.flavor(vcpus=2, ram=128, disk=1), image=group_zone.image, forcedHost=free
    )
    compute.wait_status("aa-busy", "ACTIVE")
    node_down(compute, hosts["aa-0"])
    fence(compute, hosts["aa-0"])
    evacuate(compute, "aa-0", "req-evac-aa")
    after = settled(compute, "aa-0", "req-evac-aa")
    assert action_of(after, "req-evac-aa") == ("evacuate", "Success")
    assert after["status"]["host"] == free
    assert running_on(compute, ["aa-0"]) == {"aa-0": free}
    # With the only other Node taken by the sibling, nothing fits: the group's filter says so.
    node_down(compute, free)
    fence(compute, free)
    evacuate(compute, "aa-0", "req-evac-aa-2")
    refused = settled(compute, "aa-0", "req-evac-aa-2")
    assert action_of(refused, "req-evac-aa-2") == ("evacuate", "Error")
    assert "ServerGroupAntiAffinityFilter" in refused["status"]["fault"]["details"]
