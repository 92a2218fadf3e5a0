"""createImage/createBackup through the Server's spec (the kubectl path): the root disk is cloned by
CDI into the PVC the Image names (in the image namespace, owned by the Image), the Image goes
active, and a new server boots from it; the server itself keeps running."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.integration.compute import Compute
from tests.support.cluster import Cluster
from tests.support.storage import Storage, controller_uid, phase
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

IMAGES_NS = "kubenova-images"


@pytest.fixture
def images_storage(cluster: Cluster) -> Iterator[Storage]:
    with cluster.connected() as api:
        yield Storage(api, IMAGES_NS)


def test_create_image_clones_the_root_disk_into_a_bootable_image(
    compute: Compute, images_storage: Storage
) -> None:
    compute.create_server("snap-src", flavor=compute.flavor(disk=1), image=compute.image())
    server = compute.wait_status("snap-src", "ACTIVE")
    vmi_uid = (compute.vmi("snap-src") or {})["metadata"]["uid"]
    pvc_name = f"snap-{server['metadata']['uid'][:8]}"
    image = compute.image(
        volumeSource={"pvc": {"namespace": IMAGES_NS, "name": pvc_name}},
        properties={"image_type": "snapshot", "instance_uuid": server["metadata"]["uid"]},
    )
    image_obj = compute.get_cluster_object("images", image)
    compute.patch_server("snap-src", {"snapshot": {"requestId": "req-snap", "image": image}})

    def done() -> dict[str, Any] | None:
        s = compute.server("snap-src")
        actions = s["status"].get("actions", [])
        finished = actions and actions[-1]["action"] == "createImage" and actions[-1].get("finishTime")
        return s if s["status"].get("handledSnapshot") == "req-snap" and finished else None

    after = wait_for(done, timeout=60, message="snapshot done")
    assert after["status"]["actions"][-1]["result"] == "Success"
    assert after["status"]["status"] == "ACTIVE"
    assert after["status"].get("taskState") is None
    assert (compute.vmi("snap-src") or {})["metadata"]["uid"] == vmi_uid  # kept running
    clone = images_storage.dv(pvc_name)
    assert clone is not None
    assert clone["spec"]["source"] == {"pvc": {"namespace": compute.namespace, "name": "snap-src-root"}}
    assert phase(clone) == "Succeeded"
    assert controller_uid(clone) == image_obj["metadata"]["uid"] or any(
        r["uid"] == image_obj["metadata"]["uid"] for r in clone["metadata"]["ownerReferences"]
    )
    assert compute.get_cluster_object("images", image)["status"]["status"] == "active"

    compute.create_server("from-snap", flavor=compute.flavor(disk=1), image=image)
    compute.wait_status("from-snap", "ACTIVE")
    with_root = compute.vm("from-snap")
    assert with_root is not None
    root = next(
        t for t in with_root["spec"]["dataVolumeTemplates"] if t["metadata"]["name"] == "from-snap-root"
    )
    assert root["spec"]["source"] == {"pvc": {"namespace": IMAGES_NS, "name": pvc_name}}

    compute.delete_cluster_object("images", image)
    wait_for(lambda: images_storage.dv(pvc_name) is None, timeout=30, message="clone deleted with its image")


def _snapshot_image(compute: Compute, server: dict[str, Any], pvc_name: str) -> str:
    return compute.image(
        volumeSource={"pvc": {"namespace": IMAGES_NS, "name": pvc_name}},
        properties={"image_type": "snapshot", "instance_uuid": server["metadata"]["uid"]},
    )


def _last_action(compute: Compute, name: str, action: str) -> dict[str, Any] | None:
    actions = compute.server(name)["status"].get("actions", [])
    last = actions[-1] if actions else None
    return last if last and last["action"] == action and last.get("finishTime") else None


def test_an_operator_killed_during_the_clone_finishes_the_snapshot(
    compute: Compute, images_storage: Storage, operator: OperatorHandle
) -> None:
    # A disk-0 flavor and an 80 GiB image: import and clone take about 10 s each (8 GiB/s).
    compute.create_server(
        "snap-kill", flavor=compute.flavor(disk=0), image=compute.image(virtualSize=80 * 1024**3)
    )
    server = compute.wait_status("snap-kill", "ACTIVE", timeout=60)
    image = _snapshot_image(compute, server, "snap-kill-copy")
    compute.patch_server("snap-kill", {"snapshot": {"requestId": "req-kill", "image": image}})
    wait_for(
        lambda: phase(images_storage.dv("snap-kill-copy")) == "CloneInProgress",
        timeout=30,
        message="clone under way",
    )
    assert compute.server("snap-kill")["status"]["taskState"] in ("image_pending_upload", "image_uploading")
    operator.kill()
    operator.start()
    done = wait_for(
        lambda: _last_action(compute, "snap-kill", "createImage"), timeout=60, message="snapshot done"
    )
    assert done["result"] == "Success"
    assert compute.get_cluster_object("images", image)["status"]["status"] == "active"
    assert phase(images_storage.dv("snap-kill-copy")) == "Succeeded"
    assert compute.server("snap-kill")["status"]["status"] == "ACTIVE"


def test_a_snapshot_whose_image_is_missing_or_deleted_fails_and_the_server_stays(
    compute: Compute, images_storage: Storage
) -> None:
    compute.create_server(
        "snap-fail", flavor=compute.flavor(disk=0), image=compute.image(virtualSize=80 * 1024**3)
    )
    server = compute.wait_status("snap-fail", "ACTIVE", timeout=60)
    compute.patch_server("snap-fail", {"snapshot": {"requestId": "req-none", "image": "no-such-image"}})
    refused = wait_for(
        lambda: _last_action(compute, "snap-fail", "createImage"), timeout=30, message="refused"
    )
    assert refused["result"] == "Error"
    assert "could not be found" in refused["message"]

    image = _snapshot_image(compute, server, "snap-fail-copy")
    compute.patch_server("snap-fail", {"snapshot": {"requestId": "req-gone", "image": image}})
    wait_for(lambda: images_storage.dv("snap-fail-copy") is not None, timeout=30, message="clone created")
    compute.delete_cluster_object("images", image)
    failed = wait_for(
        lambda: (
            (a := _last_action(compute, "snap-fail", "createImage")) and a["requestId"] == "req-gone" and a
        ),
        timeout=30,
        message="snapshot failed",
    )
    assert failed["result"] == "Error"
    assert failed["message"] == "The image was deleted."
    after = compute.server("snap-fail")
    assert (after["status"]["status"], after["status"].get("taskState")) == ("ACTIVE", None)
    wait_for(
        lambda: images_storage.dv("snap-fail-copy") is None,
        timeout=30,
        message="clone removed with the image",
    )


def test_a_clone_cdi_cannot_finish_kills_the_image_and_leaves_the_server_running(
    compute: Compute, images_storage: Storage
) -> None:
    compute.create_server("snap-bad", flavor=compute.flavor(disk=1), image=compute.image())
    server = compute.wait_status("snap-bad", "ACTIVE")
    vmi_uid = (compute.vmi("snap-bad") or {})["metadata"]["uid"]
    # The simulator's knob: every clone from this PVC fails as a host-assisted clone whose source
    # pod keeps failing (CloneInProgress, Running=False reason Error).
    compute.core.patch_namespaced_persistent_volume_claim(
        "snap-bad-root",
        compute.namespace,
        {"metadata": {"annotations": {"kubevirt-simulator.kubenova.io/clone": "fail"}}},
    )
    image = _snapshot_image(compute, server, "snap-bad-copy")
    compute.patch_server("snap-bad", {"snapshot": {"requestId": "req-bad", "image": image}})
    failed = wait_for(
        lambda: _last_action(compute, "snap-bad", "createImage"), timeout=60, message="snapshot failed"
    )
    assert failed["result"] == "Error"
    assert "Unable to clone" in failed["message"]
    clone = images_storage.dv("snap-bad-copy")
    assert clone is not None
    assert phase(clone) == "CloneInProgress"
    running = next(c for c in clone["status"]["conditions"] if c["type"] == "Running")
    assert (running["status"], running["reason"]) == ("False", "Error")
    assert compute.get_cluster_object("images", image)["status"]["status"] == "killed"
    after = compute.server("snap-bad")
    assert (after["status"]["status"], after["status"].get("taskState")) == ("ACTIVE", None)
    assert (compute.vmi("snap-bad") or {})["metadata"]["uid"] == vmi_uid  # Nova: the instance as it was
