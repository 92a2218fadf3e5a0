"""Deletion always finishes: servers deleted at every point of their build (before placement, while
the VM is being created, while the VMI starts, just after ACTIVE) are all gone within seconds,
with their VirtualMachine, VMI and user-data Secret; nothing keeps counting against capacity.

The deletes are spread over the build on purpose: server ``i`` is deleted ``i * STEP`` seconds
after its create, so across the batch every phase (no host yet, VM created, VMI Scheduling /
Scheduled / Running) is hit, with the simulator's phase delays making each phase last long enough.
"""

from __future__ import annotations

import base64
import threading
import time

import pytest

from tests.integration.compute import KUBEVIRT, SERVER_LABEL, Compute, Obj
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

SERVERS = 20
STEP = 0.08
"""Seconds between one server's create→delete gap and the next one's."""
GONE_WITHIN = 45.0


def _vmis(compute: Compute) -> list[Obj]:
    listing = compute.custom.list_namespaced_custom_object(
        *KUBEVIRT, compute.namespace, "virtualmachineinstances"
    )
    items: list[Obj] = listing["items"]
    return items


def _secrets(compute: Compute) -> list[Obj]:
    listing = compute.core.list_namespaced_secret(compute.namespace, label_selector=SERVER_LABEL)
    return [s.to_dict() for s in listing.items]


def test_servers_deleted_at_every_point_of_their_build_are_gone(compute: Compute) -> None:
    flavor, image = compute.flavor(), compute.image()
    user_data = base64.b64encode(b"#cloud-config\nhostname: short-lived\n").decode()
    names = [f"short-{i:02d}" for i in range(SERVERS)]

    def create_then_delete(index: int, name: str) -> None:
        compute.create_server(name, flavor=flavor, image=image, userData=user_data)
        time.sleep(index * STEP)  # the point of the build this server is deleted at
        compute.delete_server(name)

    threads = [threading.Thread(target=create_then_delete, args=(i, name)) for i, name in enumerate(names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)

    def everything_gone() -> bool:
        return not compute.servers() and not compute.vms() and not _vmis(compute) and not _secrets(compute)

    def left() -> str:
        servers = {s["metadata"]["name"]: (s.get("status") or {}).get("taskState") for s in compute.servers()}
        vms = [
            (v["metadata"]["name"], v["metadata"].get("deletionTimestamp"), v["metadata"].get("finalizers"))
            for v in compute.vms()
        ]
        vmis = [(v["metadata"]["name"], (v.get("status") or {}).get("phase")) for v in _vmis(compute)]
        return f"servers {servers}, VMs {vms}, VMIs {vmis}, Secrets {len(_secrets(compute))}"

    try:
        wait_for(everything_gone, timeout=GONE_WITHIN, interval=0.5, message="deleted servers gone")
    except AssertionError as failure:
        raise AssertionError(f"{failure}; left: {left()}") from None
