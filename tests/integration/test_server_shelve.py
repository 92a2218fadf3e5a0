"""shelve, shelveOffload and unshelve on KubeVirt, asked through the Server's spec as kubectl users
(and the gateway) write them: the VM halted with its DataVolumes kept and the host still counted
(SHELVED), the host released and the VM unpinned (SHELVED_OFFLOADED: another server takes the
capacity), the server scheduled again on unshelve (to a requested host or zone), NoValidHost
leaving it offloaded, and a SIGKILLed operator finishing each step.

Each test has its own zones of simulator Nodes with 4 vCPUs (allocation ratio 1.0) and a flavor of
4 vCPUs, so one server fills a Node and placements are exact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.integration.compute import Compute, Obj, unique
from tests.support.cluster import Cluster
from tests.support.storage import Storage
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

HOSTNAME = "kubernetes.io/hostname"


@dataclass
class Zone:
    name: str
    nodes: list[str]
    whole: str  # 4 vCPUs: one server fills a Node
    image: str


def make_zone(managed_node: ManagedNodeFactory, compute: Compute, count: int) -> Zone:
    nodes = [managed_node(unique("shv"), cpu="4", memory="64Gi") for _ in range(count)]
    name = unique("az-shv")
    ratios = {"cpu_allocation_ratio": "1.0", "ram_allocation_ratio": "1.0"}
    compute.aggregate(zone=name, hosts=nodes, metadata=ratios)
    return Zone(name, nodes, compute.flavor(vcpus=4, ram=256, disk=1), compute.image())


def create(compute: Compute, zone: Zone, name: str) -> Obj:
    compute.create_server(name, flavor=zone.whole, image=zone.image, availabilityZone=zone.name)
    return compute.wait_status(name, "ACTIVE")


def kubectl_patch(cluster: Cluster, compute: Compute, name: str, spec: dict[str, Any]) -> None:
    patch = json.dumps({"spec": spec})
    cluster.run_kubectl("patch", "server", name, "-n", compute.namespace, "--type=merge", "-p", patch)


def running_on(compute: Compute, name: str, host: str | None = None) -> Obj:
    def running() -> Obj | None:
        vmi = compute.vmi(name)
        if vmi is None or (vmi.get("status") or {}).get("phase") != "Running":
            return None
        return vmi if host is None or vmi["status"].get("nodeName") == host else None

    found = wait_for(running, timeout=30, message=f"VMI of {name} running on {host or 'a node'}")
    assert found is not None
    return found


def root_uid(storage: Storage, name: str) -> str:
    dv, pvc = storage.dv(f"{name}-root"), storage.pvc(f"{name}-root")
    assert dv is not None
    assert pvc is not None  # the disk's claim is kept too
    return str(dv["metadata"]["uid"])


def halted_and_gone(compute: Compute, name: str) -> Obj:
    wait_for(lambda: compute.vmi(name) is None, timeout=30, message=f"VMI of {name} gone")
    vm = compute.vm(name)
    assert vm is not None  # the VM is kept
    assert vm["spec"]["runStrategy"] == "Halted"
    return vm


def action(server: Obj, name: str) -> dict[str, Any]:
    return [a for a in server["status"]["actions"] if a["action"] == name][-1]


def test_shelve_keeps_the_host_offload_frees_it_unshelve_schedules_again(
    compute: Compute,
    cluster: Cluster,
    managed_node: ManagedNodeFactory,
    storage: Storage,
    never_offload: None,
) -> None:
    zone = make_zone(managed_node, compute, 1)
    node = zone.nodes[0]
    create(compute, zone, "shelf")
    disk = root_uid(storage, "shelf")

    kubectl_patch(cluster, compute, "shelf", {"shelved": True})
    shelved = compute.wait_status("shelf", "SHELVED")
    vm = halted_and_gone(compute, "shelf")
    assert vm["spec"]["template"]["spec"]["nodeSelector"][HOSTNAME] == node
    assert shelved["status"]["host"] == node  # SHELVED keeps the host ...
    assert shelved["status"]["shelve"]["shelvedHost"] == node
    assert shelved["status"]["powerState"] == "Shutdown"
    assert action(shelved, "shelve")["result"] == "Success"
    assert root_uid(storage, "shelf") == disk
    # ... and its capacity: a server filling the Node finds no host.
    compute.create_server("blocked", flavor=zone.whole, image=zone.image, availabilityZone=zone.name)
    assert compute.wait_status("blocked", "ERROR")["status"]["fault"]["message"] == "No valid host was found."
    compute.delete_server("blocked")
    compute.wait_gone("blocked")

    kubectl_patch(cluster, compute, "shelf", {"shelveOffload": {"requestId": "req-offload-1"}})
    offloaded = compute.wait_status("shelf", "SHELVED_OFFLOADED")
    assert offloaded["status"].get("host") is None
    assert offloaded["status"].get("hypervisorHostname") is None
    assert offloaded["status"]["availabilityZone"] == zone.name
    offload = action(offloaded, "shelveOffload")
    assert (offload["requestId"], offload["result"]) == ("req-offload-1", "Success")
    vm = halted_and_gone(compute, "shelf")
    assert HOSTNAME not in (vm["spec"]["template"]["spec"].get("nodeSelector") or {})  # unpinned
    assert root_uid(storage, "shelf") == disk
    # The capacity is free: a server filling the Node takes it.
    compute.create_server("taker", flavor=zone.whole, image=zone.image, availabilityZone=zone.name)
    assert compute.wait_status("taker", "ACTIVE")["status"]["host"] == node
    running_on(compute, "taker", node)

    # Unshelve while the Node is full: NoValidHost, still SHELVED_OFFLOADED, nothing started.
    kubectl_patch(cluster, compute, "shelf", {"shelved": False, "unshelve": {"requestId": "req-un-1"}})

    def failed() -> Obj | None:
        server = compute.server("shelf")
        record = [a for a in server["status"].get("actions", []) if a["requestId"] == "req-un-1"]
        return server if record and record[0].get("result") == "Error" else None

    refused = wait_for(failed, timeout=30, message="unshelve failed")
    assert refused is not None
    assert (refused["status"]["status"], refused["status"].get("taskState")) == ("SHELVED_OFFLOADED", None)
    assert refused["status"].get("host") is None
    assert action(refused, "unshelve")["message"].startswith("No valid host was found.")
    assert compute.vmi("shelf") is None
    assert compute.vm("shelf")["spec"]["runStrategy"] == "Halted"  # type: ignore[index]
    compute.wait_events("shelf", "Shelved", "ShelveOffloaded", "NoValidHost")

    # Room again, and a new request: scheduled, started on the Node, same disk.
    compute.delete_server("taker")
    compute.wait_gone("taker")
    kubectl_patch(cluster, compute, "shelf", {"unshelve": {"requestId": "req-un-2"}})
    active = compute.wait_status("shelf", "ACTIVE", timeout=60)
    assert active["status"]["host"] == node
    assert active["status"].get("shelve", {}).get("shelvedAt") is None
    assert action(active, "unshelve")["result"] == "Success"
    vmi = running_on(compute, "shelf", node)
    assert vmi["metadata"]["ownerReferences"][0]["kind"] == "VirtualMachine"
    assert compute.vm("shelf")["spec"]["template"]["spec"]["nodeSelector"][HOSTNAME] == node  # type: ignore[index]
    assert root_uid(storage, "shelf") == disk  # the same DataVolume: the disk came back
    assert len([v for v in compute.vms() if v["metadata"]["name"] == "shelf"]) == 1
    compute.wait_events("shelf", "Unshelved")
    # Counted again: the Node is full.
    compute.create_server("late", flavor=zone.whole, image=zone.image, availabilityZone=zone.name)
    assert compute.wait_status("late", "ERROR")["status"]["fault"]["message"] == "No valid host was found."


def test_unshelve_of_shelved_server_powers_it_on_where_it_was(
    compute: Compute,
    cluster: Cluster,
    managed_node: ManagedNodeFactory,
    storage: Storage,
    never_offload: None,
) -> None:
    zone = make_zone(managed_node, compute, 1)
    create(compute, zone, "nap")
    disk = root_uid(storage, "nap")
    compute.patch_server("nap", {"shelved": True})
    compute.wait_status("nap", "SHELVED")
    halted_and_gone(compute, "nap")
    # Its Node fails VMIs: the start fails, the server stays SHELVED on its host with a fault.
    annotation = "kubevirt-simulator.kubenova.io/fail-vmis"
    compute.core.patch_node(zone.nodes[0], {"metadata": {"annotations": {annotation: "true"}}})
    compute.patch_server("nap", {"shelved": False, "unshelve": {"requestId": "req-fails"}})

    def failed() -> Obj | None:
        server = compute.server("nap")
        record = [a for a in server["status"].get("actions", []) if a["requestId"] == "req-fails"]
        return server if record and record[0].get("result") == "Error" else None

    refused = wait_for(failed, timeout=60, message="unshelve failed")
    assert refused is not None
    assert (refused["status"]["status"], refused["status"]["host"]) == ("SHELVED", zone.nodes[0])
    assert refused["status"]["fault"]["message"]
    halted_and_gone(compute, "nap")
    compute.core.patch_node(zone.nodes[0], {"metadata": {"annotations": {annotation: None}}})
    compute.patch_server("nap", {"unshelve": {"requestId": "req-works"}})
    active = compute.wait_status("nap", "ACTIVE")
    assert active["status"]["host"] == zone.nodes[0]
    running_on(compute, "nap", zone.nodes[0])
    assert root_uid(storage, "nap") == disk


def test_shelve_offloads_at_once_and_unshelve_goes_to_the_requested_host_and_zone(
    compute: Compute, managed_node: ManagedNodeFactory, storage: Storage
) -> None:
    zone = make_zone(managed_node, compute, 2)
    other_zone = make_zone(managed_node, compute, 1)
    first = create(compute, zone, "mover")
    source = first["status"]["host"]
    disk = root_uid(storage, "mover")
    compute.patch_server("mover", {"shelved": True})  # shelved_offload_time 0: offloaded at once
    offloaded = compute.wait_status("mover", "SHELVED_OFFLOADED")
    assert offloaded["status"].get("host") is None
    shelve = action(offloaded, "shelve")
    assert shelve["result"] == "Success"
    assert not [a for a in offloaded["status"]["actions"] if a["action"] == "shelveOffload"]
    halted_and_gone(compute, "mover")

    target = next(n for n in zone.nodes if n != source)
    compute.patch_server("mover", {"shelved": False, "unshelve": {"requestId": "req-host", "host": target}})
    moved = compute.wait_status("mover", "ACTIVE")
    assert moved["status"]["host"] == target
    running_on(compute, "mover", target)
    assert root_uid(storage, "mover") == disk

    # Shelve again, then unshelve into the other zone (Nova 2.77's availability_zone).
    compute.patch_server("mover", {"shelved": True})
    compute.wait_status("mover", "SHELVED_OFFLOADED")
    compute.patch_server(
        "mover",
        # (a merge patch keeps unshelve.host unless it is cleared)
        {
            "shelved": False,
            "availabilityZone": other_zone.name,
            "unshelve": {"requestId": "req-az", "host": None},
        },
    )
    zoned = compute.wait_status("mover", "ACTIVE")
    assert (zoned["status"]["host"], zoned["status"]["availabilityZone"]) == (
        other_zone.nodes[0],
        other_zone.name,
    )
    running_on(compute, "mover", other_zone.nodes[0])
    assert root_uid(storage, "mover") == disk


def test_operator_killed_mid_shelve_and_mid_unshelve_finishes_both(
    compute: Compute, managed_node: ManagedNodeFactory, storage: Storage, operator: OperatorHandle
) -> None:
    zone = make_zone(managed_node, compute, 1)
    node = zone.nodes[0]
    create(compute, zone, "crash")
    disk = root_uid(storage, "crash")

    def task_is(*tasks: str) -> Any:
        def check() -> Obj | None:
            server = compute.server("crash")
            return server if (server.get("status") or {}).get("taskState") in tasks else None

        return check

    compute.patch_server("crash", {"shelved": True})
    wait_for(task_is("shelving", "shelving_offloading"), timeout=30, interval=0.02, message="shelving")
    operator.kill()
    operator.start()
    offloaded = compute.wait_status("crash", "SHELVED_OFFLOADED")
    assert offloaded["status"].get("host") is None
    halted_and_gone(compute, "crash")
    # The restarted operator counts nothing for it: a server filling the Node fits.
    compute.create_server("filler", flavor=zone.whole, image=zone.image, availabilityZone=zone.name)
    compute.wait_status("filler", "ACTIVE")
    compute.delete_server("filler")
    compute.wait_gone("filler")

    compute.patch_server("crash", {"shelved": False})
    wait_for(task_is("unshelving", "spawning"), timeout=30, interval=0.02, message="unshelving")
    operator.kill()
    operator.start()
    active = compute.wait_status("crash", "ACTIVE", timeout=60)
    assert active["status"]["host"] == node
    running_on(compute, "crash", node)
    assert root_uid(storage, "crash") == disk
    assert len([v for v in compute.vms() if v["metadata"]["name"] == "crash"]) == 1
    # Counted once, after the restart too: the Node is full.
    compute.create_server("after", flavor=zone.whole, image=zone.image, availabilityZone=zone.name)
    assert compute.wait_status("after", "ERROR")["status"]["fault"]["message"] == "No valid host was found."


def test_deleting_an_offloaded_server_removes_its_vm_and_disks(
    compute: Compute, managed_node: ManagedNodeFactory, storage: Storage
) -> None:
    zone = make_zone(managed_node, compute, 1)
    create(compute, zone, "gone")
    compute.patch_server("gone", {"shelved": True})
    compute.wait_status("gone", "SHELVED_OFFLOADED")
    compute.delete_server("gone")
    compute.wait_gone("gone")
    assert compute.vm("gone") is None
    wait_for(lambda: storage.dv("gone-root") is None, timeout=30, message="root DataVolume deleted")


def test_vm_failing_on_the_unshelve_host_leaves_it_offloaded_with_a_fault(
    compute: Compute, managed_node: ManagedNodeFactory, storage: Storage
) -> None:
    zone = make_zone(managed_node, compute, 2)
    first = create(compute, zone, "flaky")
    disk = root_uid(storage, "flaky")
    compute.patch_server("flaky", {"shelved": True})
    compute.wait_status("flaky", "SHELVED_OFFLOADED")
    broken = next(n for n in zone.nodes if n != first["status"]["host"])
    annotation = "kubevirt-simulator.kubenova.io/fail-vmis"
    compute.core.patch_node(broken, {"metadata": {"annotations": {annotation: "true"}}})
    compute.patch_server("flaky", {"shelved": False, "unshelve": {"requestId": "req-bad", "host": broken}})

    def failed() -> Obj | None:
        server = compute.server("flaky")
        record = [a for a in server["status"].get("actions", []) if a["requestId"] == "req-bad"]
        return server if record and record[0].get("result") == "Error" else None

    after = wait_for(failed, timeout=60, message="unshelve failed")
    assert after is not None
    assert (after["status"]["status"], after["status"].get("taskState")) == ("SHELVED_OFFLOADED", None)
    assert after["status"].get("host") is None
    assert after["status"]["fault"]["message"]
    compute.wait_events("flaky", "UnshelveFailed")

    def settled() -> Obj | None:
        vm = compute.vm("flaky")
        if vm is None or vm["spec"]["runStrategy"] != "Halted":
            return None
        return vm if HOSTNAME not in (vm["spec"]["template"]["spec"].get("nodeSelector") or {}) else None

    wait_for(settled, timeout=30, message="VM halted and unpinned again")
    wait_for(lambda: compute.vmi("flaky") is None, timeout=30, message="failed VMI gone")

    compute.core.patch_node(broken, {"metadata": {"annotations": {annotation: None}}})
    compute.patch_server("flaky", {"unshelve": {"requestId": "req-good", "host": None}})
    active = compute.wait_status("flaky", "ACTIVE")
    assert active["status"].get("fault") is None
    running_on(compute, "flaky", active["status"]["host"])
    assert root_uid(storage, "flaky") == disk


@pytest.fixture
def offload_after_two_seconds(operator: OperatorHandle) -> Iterator[None]:
    """``KUBENOVA_SHELVED_OFFLOAD_TIME=2`` with a resync every second (Nova's periodic offload)."""
    saved = dict(operator.settings)
    operator.settings.update({"KUBENOVA_SHELVED_OFFLOAD_TIME": "2", "KUBENOVA_RESYNC_SECONDS": "1"})
    operator.restart()
    try:
        yield
    finally:
        operator.settings.clear()
        operator.settings.update(saved)
        operator.restart()


def test_shelved_server_is_offloaded_once_the_offload_time_has_passed(
    compute: Compute, managed_node: ManagedNodeFactory, offload_after_two_seconds: None
) -> None:
    zone = make_zone(managed_node, compute, 1)
    create(compute, zone, "later")
    compute.patch_server("later", {"shelved": True})
    shelved = compute.wait_status("later", "SHELVED")
    assert shelved["status"]["host"] == zone.nodes[0]
    offloaded = compute.wait_status("later", "SHELVED_OFFLOADED", timeout=30)
    assert offloaded["status"].get("host") is None
    # Nova's periodic task records no action of its own; the shelve action had finished before.
    assert [a["action"] for a in offloaded["status"]["actions"]][-1] == "shelve"
    vm = halted_and_gone(compute, "later")
    assert HOSTNAME not in (vm["spec"]["template"]["spec"].get("nodeSelector") or {})


def test_a_paused_server_shelves_and_comes_back_running(
    compute: Compute, managed_node: ManagedNodeFactory
) -> None:
    zone = make_zone(managed_node, compute, 1)
    create(compute, zone, "dozy")
    compute.patch_server("dozy", {"powerState": "Paused"})
    compute.wait_status("dozy", "PAUSED")
    compute.patch_server("dozy", {"shelved": True})
    compute.wait_status("dozy", "SHELVED_OFFLOADED")
    halted_and_gone(compute, "dozy")
    # What the gateway writes for unshelve: Nova leaves the server ACTIVE, so Running.
    compute.patch_server("dozy", {"shelved": False, "powerState": "Running"})
    active = compute.wait_status("dozy", "ACTIVE")
    assert active["status"]["powerState"] == "Running"
    vmi = running_on(compute, "dozy", zone.nodes[0])
    assert not [c for c in vmi["status"].get("conditions", []) if c["type"] == "Paused"]
