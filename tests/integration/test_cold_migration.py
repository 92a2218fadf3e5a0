"""Cold migration (``spec.migrate``, what the gateway writes for Nova's ``migrate``) on KubeVirt:
the VirtualMachine is halted, pinned to another Node and started there, the server waits in
VERIFY_RESIZE with both Nodes' resources held until confirmResize (revertResize brings it back),
and a ``Migration`` object records the move with Nova's statuses. A SIGKILLed operator finishes
it without a second VM; NoValidHost leaves the server running where it was, the record in error.

Each test has its own zone of two simulator Nodes with 4 vCPUs each (allocation ratio 1.0), so
placements are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pytest

from kubenova.resources.base import GROUP, VERSION
from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.integration.compute import Compute, Obj, unique
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster


@dataclass
class Zone:
    name: str
    nodes: list[str]
    half: str  # 2 vCPUs: half a Node
    whole: str  # 4 vCPUs: a whole Node
    image: str


@pytest.fixture
def zone(managed_node: ManagedNodeFactory, compute: Compute) -> Zone:
    nodes = [managed_node(unique("mig"), cpu="4", memory="64Gi") for _ in range(2)]
    name = unique("az-mig")
    ratios = {"cpu_allocation_ratio": "1.0", "ram_allocation_ratio": "1.0"}
    compute.aggregate(zone=name, hosts=nodes, metadata=ratios)
    return Zone(
        name,
        nodes,
        compute.flavor(vcpus=2, ram=256, disk=1),
        compute.flavor(vcpus=4, ram=256),
        compute.image(),
    )


def create(compute: Compute, zone: Zone, name: str, flavor: str | None = None, **spec: Any) -> Obj:
    compute.create_server(
        name, flavor=flavor or zone.half, image=zone.image, availabilityZone=zone.name, **spec
    )
    return compute.wait_status(name, "SHUTOFF" if spec.get("powerState") == "Stopped" else "ACTIVE")


def migrate(compute: Compute, name: str, request_id: str, host: str | None = None) -> None:
    request: dict[str, Any] = {"requestId": request_id}
    if host is not None:
        request["host"] = host
    compute.patch_server(name, {"migrate": request})


def decide(compute: Compute, name: str, action: str, request_id: str) -> None:
    compute.patch_server(name, {"resizeDecision": {"action": action, "requestId": request_id}})


def migrations(compute: Compute, server_id: str) -> list[Obj]:
    listing = cast(
        Obj, compute.custom.list_namespaced_custom_object(GROUP, VERSION, compute.namespace, "migrations")
    )
    return [m for m in listing["items"] if m["spec"]["instanceUuid"] == server_id]


def record_in(compute: Compute, server_id: str, status: str) -> Obj:
    def found() -> Obj | None:
        records = migrations(compute, server_id)
        return records[0] if len(records) == 1 and records[0]["spec"]["status"] == status else None

    record = wait_for(found, timeout=30, message=f"one migration of {server_id} in {status}")
    assert record is not None
    return record


def vmi_on(compute: Compute, name: str, host: str) -> Obj:
    def running() -> Obj | None:
        vmi = compute.vmi(name)
        status = (vmi or {}).get("status") or {}
        return vmi if status.get("phase") == "Running" and status.get("nodeName") == host else None

    found = wait_for(running, timeout=30, message=f"VMI of {name} running on {host}")
    assert found is not None
    return found


def pinned(compute: Compute, name: str) -> str:
    vm = compute.vm(name)
    assert vm is not None
    return cast(str, vm["spec"]["template"]["spec"]["nodeSelector"]["kubernetes.io/hostname"])


def other(zone: Zone, host: str) -> str:
    return next(n for n in zone.nodes if n != host)


def test_migrate_moves_the_vm_holds_both_hosts_and_confirm_frees_the_source(
    compute: Compute, zone: Zone
) -> None:
    first = create(compute, zone, "mover")
    source, server_id = first["status"]["host"], first["metadata"]["uid"]
    old_vmi = compute.vmi("mover")
    assert old_vmi is not None
    migrate(compute, "mover", "req-mig-1")
    moved = compute.wait_status("mover", "VERIFY_RESIZE", timeout=90)
    target = other(zone, source)  # the source host is never a cold migration's target
    assert moved["status"]["host"] == target
    assert moved["status"]["flavor"]["vcpus"] == 2  # the same flavor
    assert pinned(compute, "mover") == target
    vmi = vmi_on(compute, "mover", target)
    assert vmi["metadata"]["uid"] != old_vmi["metadata"]["uid"]
    assert len(compute.vms()) == 1
    action = next(a for a in moved["status"]["actions"] if a["requestId"] == "req-mig-1")
    assert (action["action"], action["result"]) == ("migrate", "Success")
    record = record_in(compute, server_id, "finished")["spec"]
    assert (record["migrationType"], record["sourceCompute"], record["destCompute"]) == (
        "migration",
        source,
        target,
    )
    assert record["id"] >= 1

    # Both hosts are held: a whole-Node server fits on neither.
    compute.create_server("blocked", flavor=zone.whole, image=zone.image, availabilityZone=zone.name)
    assert compute.wait_status("blocked", "ERROR")["status"]["fault"]["message"] == "No valid host was found."

    decide(compute, "mover", "Confirm", "req-mig-confirm")
    confirmed = compute.wait_status("mover", "ACTIVE")
    assert confirmed["status"]["host"] == target
    assert confirmed["status"].get("resize") is None
    assert record_in(compute, server_id, "confirmed")["spec"]["id"] == record["id"]
    # The source is free again.
    compute.create_server("fits", flavor=zone.whole, image=zone.image, availabilityZone=zone.name)
    assert compute.wait_status("fits", "ACTIVE")["status"]["host"] == source
    vmi_on(compute, "fits", source)


def test_migrate_to_a_host_and_revert(compute: Compute, zone: Zone) -> None:
    first = create(compute, zone, "asked", powerState="Stopped")
    source, server_id = first["status"]["host"], first["metadata"]["uid"]
    target = other(zone, source)
    migrate(compute, "asked", "req-mig-host", host=target)
    moved = compute.wait_status("asked", "VERIFY_RESIZE", timeout=90)
    assert moved["status"]["host"] == target
    assert moved["status"]["powerState"] == "Shutdown"
    assert pinned(compute, "asked") == target
    assert compute.vmi("asked") is None  # a stopped server stays stopped
    decide(compute, "asked", "Revert", "req-mig-revert")
    reverted = compute.wait_status("asked", "SHUTOFF", timeout=90)
    assert reverted["status"]["host"] == source
    assert pinned(compute, "asked") == source
    assert record_in(compute, server_id, "reverted")["spec"]["destCompute"] == target
    actions = [(a["action"], a["result"]) for a in reverted["status"]["actions"]]
    assert ("migrate", "Success") in actions
    assert ("revertResize", "Success") in actions


def test_operator_killed_mid_migration_finishes_it(
    compute: Compute, zone: Zone, operator: OperatorHandle
) -> None:
    first = create(compute, zone, "crash")
    source, server_id = first["status"]["host"], first["metadata"]["uid"]
    migrate(compute, "crash", "req-mig-crash")

    def moving() -> Obj | None:
        server = compute.server("crash")
        return server if (server.get("status") or {}).get("taskState", "").startswith("resize") else None

    wait_for(moving, timeout=30, interval=0.05, message="migration under way")
    operator.kill()
    try:
        during = compute.server("crash")["status"]
        assert during["resize"]["targetHost"] == other(zone, source)
        assert during["migration"]["migrationType"] == "migration"
    finally:
        operator.start()
    moved = compute.wait_status("crash", "VERIFY_RESIZE", timeout=90)
    target = other(zone, source)
    assert moved["status"]["host"] == target
    vmi_on(compute, "crash", target)
    assert len(compute.vms()) == 1
    record_in(compute, server_id, "finished")
    decide(compute, "crash", "Confirm", "req-crash-confirm")
    compute.wait_status("crash", "ACTIVE")
    record_in(compute, server_id, "confirmed")


def test_no_valid_host_leaves_the_server_where_it_was_with_the_migration_in_error(
    compute: Compute, zone: Zone
) -> None:
    first = create(compute, zone, "stuck")
    source, server_id = first["status"]["host"], first["metadata"]["uid"]
    compute.create_server("filler", flavor=zone.whole, image=zone.image, availabilityZone=zone.name)
    assert compute.wait_status("filler", "ACTIVE")["status"]["host"] == other(zone, source)
    migrate(compute, "stuck", "req-mig-none")

    def failed() -> Obj | None:
        server = compute.server("stuck")
        records = [a for a in server["status"].get("actions", []) if a["requestId"] == "req-mig-none"]
        return server if records and records[0].get("result") == "Error" else None

    after = wait_for(failed, timeout=30, message="migrate action failed")
    assert after is not None
    assert after["status"]["vmState"] == "active"
    assert after["status"]["host"] == source
    assert after["status"].get("resize") is None
    vmi_on(compute, "stuck", source)
    record = record_in(compute, server_id, "error")["spec"]
    assert (record["sourceCompute"], record.get("destCompute")) == (source, None)


def test_a_resize_leaves_a_resize_record(compute: Compute, zone: Zone) -> None:
    first = create(compute, zone, "grower")
    server_id = first["metadata"]["uid"]
    compute.patch_server("grower", {"flavor": zone.whole, "resize": {"requestId": "req-rs-record"}})
    compute.wait_status("grower", "VERIFY_RESIZE", timeout=90)
    record = record_in(compute, server_id, "finished")["spec"]
    assert record["migrationType"] == "resize"
    assert record["oldInstanceTypeId"] != record["newInstanceTypeId"]
    decide(compute, "grower", "Revert", "req-rs-revert")
    compute.wait_status("grower", "ACTIVE", timeout=90)
    assert record_in(compute, server_id, "reverted")["spec"]["id"] == record["id"]
