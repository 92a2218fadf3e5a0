"""Live migration (``spec.liveMigrate``, what the gateway writes for ``os-migrateLive``) on
KubeVirt: the VM is pinned to the chosen Node (KubeVirt copies the selector to the running VMI),
a VirtualMachineInstanceMigration moves the same VMI there, the server is ACTIVE on the new host
with the source released and a ``Migration`` record ``completed``. A failing target leaves the
server running on its source with the record in ``error``; an abort deletes the VMIM and leaves
it there with the record ``cancelled``; a SIGKILLed operator finishes the move with one VMIM and
one VMI.

Each test has its own zone of two simulator Nodes with 4 vCPUs each (allocation ratio 1.0).
"""

from __future__ import annotations

import signal
from typing import Any, cast

import pytest

from kubenova.resources.base import GROUP, VERSION
from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory, SimulatorHandle
from tests.integration.compute import Compute, Obj, unique
from tests.integration.test_cold_migration import Zone, create, other, pinned, record_in, vmi_on
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster


@pytest.fixture
def zone(managed_node: ManagedNodeFactory, compute: Compute) -> Zone:
    nodes = [managed_node(unique("lmig"), cpu="4", memory="64Gi") for _ in range(2)]
    name = unique("az-lmig")
    ratios = {"cpu_allocation_ratio": "1.0", "ram_allocation_ratio": "1.0"}
    compute.aggregate(zone=name, hosts=nodes, metadata=ratios)
    half, whole = compute.flavor(vcpus=2, ram=256, disk=1), compute.flavor(vcpus=4, ram=256)
    return Zone(name, nodes, half, whole, compute.image())


def live_migrate(compute: Compute, name: str, request_id: str, host: str | None = None) -> None:
    request: dict[str, Any] = {"requestId": request_id}
    if host is not None:
        request["host"] = host
    compute.patch_server(name, {"liveMigrate": request})


def vmims(compute: Compute, name: str) -> list[Obj]:
    listing = cast(
        Obj,
        compute.custom.list_namespaced_custom_object(
            "kubevirt.io", "v1", compute.namespace, "virtualmachineinstancemigrations"
        ),
    )
    return [m for m in listing["items"] if m["metadata"].get("labels", {}).get(f"{GROUP}/server") == name]


def action_of(server: Obj, request_id: str) -> tuple[str, str | None]:
    found = next(a for a in server["status"]["actions"] if a["requestId"] == request_id)
    return found["action"], found.get("result")


def settled(compute: Compute, name: str, request_id: str) -> Obj:
    def done() -> Obj | None:
        server = compute.server(name)
        records = [a for a in server["status"].get("actions", []) if a["requestId"] == request_id]
        return server if records and records[0].get("result") else None

    found = wait_for(done, timeout=60, message=f"live migration {request_id} of {name} finished")
    assert found is not None
    return found


def test_live_migration_moves_the_running_vmi_and_releases_the_source(compute: Compute, zone: Zone) -> None:
    first = create(compute, zone, "live")
    source, server_id = first["status"]["host"], first["metadata"]["uid"]
    before = vmi_on(compute, "live", source)
    live_migrate(compute, "live", "req-live-1")
    after = settled(compute, "live", "req-live-1")
    target = other(zone, source)
    assert action_of(after, "req-live-1") == ("live-migration", "Success")
    assert (after["status"]["vmState"], after["status"].get("taskState")) == ("active", None)
    assert after["status"]["host"] == target
    assert after["status"].get("resize") is None
    vmi = vmi_on(compute, "live", target)
    assert vmi["metadata"]["uid"] == before["metadata"]["uid"]  # the same instance, moved live
    assert vmi["spec"]["nodeSelector"]["kubernetes.io/hostname"] == target
    assert pinned(compute, "live") == target
    (vmim,) = vmims(compute, "live")
    assert vmim["status"]["phase"] == "Succeeded"
    assert vmim["spec"]["addedNodeSelector"] == {"kubernetes.io/hostname": target}
    record = record_in(compute, server_id, "completed")["spec"]
    assert (record["migrationType"], record["sourceCompute"], record["destCompute"]) == (
        "live-migration",
        source,
        target,
    )
    # The source is released: a whole-Node server fits there.
    compute.create_server("fits", flavor=zone.whole, image=zone.image, availabilityZone=zone.name)
    assert compute.wait_status("fits", "ACTIVE")["status"]["host"] == source


def test_failed_target_leaves_the_server_on_its_source(compute: Compute, zone: Zone) -> None:
    first = create(compute, zone, "stays")
    source, server_id = first["status"]["host"], first["metadata"]["uid"]
    target = other(zone, source)
    compute.core.patch_node(
        target, {"metadata": {"annotations": {"kubevirt-simulator.kubenova.io/fail-vmis": "true"}}}
    )
    live_migrate(compute, "stays", "req-live-fail", host=target)
    after = settled(compute, "stays", "req-live-fail")
    assert action_of(after, "req-live-fail")[1] == "Error"
    assert (after["status"]["vmState"], after["status"].get("taskState")) == ("active", None)
    assert after["status"]["host"] == source
    assert after["status"].get("resize") is None
    vmi_on(compute, "stays", source)
    assert pinned(compute, "stays") == source
    (vmim,) = vmims(compute, "stays")
    assert vmim["status"]["phase"] == "Failed"
    assert record_in(compute, server_id, "error")["spec"]["destCompute"] == target


def test_operator_killed_mid_live_migration_finishes_it(
    compute: Compute, zone: Zone, operator: OperatorHandle
) -> None:
    first = create(compute, zone, "crashlive")
    source, server_id = first["status"]["host"], first["metadata"]["uid"]
    live_migrate(compute, "crashlive", "req-live-crash")

    def migrating() -> Obj | None:
        server = compute.server("crashlive")
        return server if (server.get("status") or {}).get("taskState") == "migrating" else None

    wait_for(migrating, timeout=30, interval=0.02, message="live migration under way")
    operator.kill()
    try:
        during = compute.server("crashlive")["status"]
        assert during["resize"]["migrationType"] == "live-migration"
    finally:
        operator.start()
    after = settled(compute, "crashlive", "req-live-crash")
    target = other(zone, source)
    assert action_of(after, "req-live-crash") == ("live-migration", "Success")
    assert after["status"]["host"] == target
    vmi_on(compute, "crashlive", target)
    assert len(vmims(compute, "crashlive")) == 1
    assert len(compute.vms()) == 1
    record_in(compute, server_id, "completed")  # one record, completed
    listing = cast(
        Obj, compute.custom.list_namespaced_custom_object(GROUP, VERSION, compute.namespace, "migrations")
    )
    assert len([m for m in listing["items"] if m["spec"]["instanceUuid"] == server_id]) == 1


def test_abort_deletes_the_vmim_and_leaves_the_server_on_its_source(
    compute: Compute, zone: Zone, simulator: SimulatorHandle
) -> None:
    first = create(compute, zone, "aborted")
    source, server_id = first["status"]["host"], first["metadata"]["uid"]
    uid = vmi_on(compute, "aborted", source)["metadata"]["uid"]
    live_migrate(compute, "aborted", "req-live-abort")
    wait_for(lambda: vmims(compute, "aborted") or None, timeout=30, interval=0.01, message="VMIM created")
    # KubeVirt is slow today: the migration stays where it is until the abort is under way.
    simulator.process.signal_group(signal.SIGSTOP)
    try:
        (vmim,) = vmims(compute, "aborted")
        assert vmim.get("status", {}).get("phase") not in ("Succeeded", "Failed")
        record = record_in_any(compute, server_id)
        compute.patch_server(
            "aborted", {"liveMigrationAbort": {"requestId": "req-abort", "migrationId": record["spec"]["id"]}}
        )
        wait_for(lambda: not vmims(compute, "aborted"), timeout=30, message="VMIM deleted by the operator")
    finally:
        simulator.process.signal_group(signal.SIGCONT)
    after = settled(compute, "aborted", "req-live-abort")
    assert action_of(after, "req-live-abort")[1] == "Error"
    assert (after["status"]["host"], after["status"].get("taskState")) == (source, None)
    assert vmi_on(compute, "aborted", source)["metadata"]["uid"] == uid
    assert pinned(compute, "aborted") == source
    record_in(compute, server_id, "cancelled")


def record_in_any(compute: Compute, server_id: str) -> Obj:
    def found() -> Obj | None:
        listing = cast(
            Obj, compute.custom.list_namespaced_custom_object(GROUP, VERSION, compute.namespace, "migrations")
        )
        mine = [m for m in listing["items"] if m["spec"]["instanceUuid"] == server_id]
        return mine[0] if mine else None

    record = wait_for(found, timeout=30, message=f"migration record of {server_id}")
    assert record is not None
    return record
