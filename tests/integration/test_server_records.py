"""Deleted-server records: a finished delete leaves one ``ServerRecord`` (named by the server id,
in the project's namespace) with what Nova keeps of the instance and the whole action log; an
operator SIGKILLed around the record's write still leaves exactly one; the retention period's end
deletes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from kubenova.domain import server_records
from kubenova.resources import Server
from tests.fixtures.operator import OperatorHandle
from tests.integration.compute import GROUP, VERSION, Compute, Obj
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster


def records(compute: Compute) -> list[Obj]:
    listing = cast(
        Obj, compute.custom.list_namespaced_custom_object(GROUP, VERSION, compute.namespace, "serverrecords")
    )
    items: list[Obj] = listing["items"]
    return items


def record(compute: Compute, server_id: str) -> Obj | None:
    return next((r for r in records(compute) if r["metadata"]["name"] == server_id), None)


def test_a_deleted_server_leaves_a_record_with_its_action_log(compute: Compute, cluster: Cluster) -> None:
    flavor, image = compute.flavor(vcpus=2, ram=256), compute.image()
    compute.create_server("kept", flavor=flavor, image=image, metadata={"role": "db"}, tags=["blue"])
    server = compute.wait_status("kept", "ACTIVE")
    uid = server["metadata"]["uid"]
    compute.patch_server("kept", {"powerState": "Stopped"})
    compute.wait_status("kept", "SHUTOFF")

    compute.delete_server("kept")
    compute.wait_gone("kept")
    assert compute.vm("kept") is None
    assert compute.vmi("kept") is None

    found = wait_for(lambda: record(compute, uid), timeout=10, message="record written")
    spec = found["spec"]
    assert spec["serverId"] == uid
    assert spec["name"] == "kept"
    assert (spec["status"], spec["vmState"], spec["powerState"]) == ("DELETED", "deleted", "NOSTATE")
    assert spec["flavor"]["vcpus"] == 2
    assert spec["flavor"]["ram"] == 256
    assert spec["image"] == image
    assert spec["imageId"] == server["status"]["imageId"]
    assert spec["host"] == server["status"]["host"]
    assert spec["metadata"] == {"role": "db"}
    assert spec["tags"] == ["blue"]
    assert spec["launchedAt"]
    assert spec["terminatedAt"] >= spec["launchedAt"]
    log = [(a["action"], a.get("result")) for a in spec["actions"]]
    assert log == [("create", "Success"), ("stop", "Success"), ("delete", "Success")]
    assert spec["actions"][-1]["finishTime"] == spec["terminatedAt"]

    # kubectl lists it as `openstack server list --deleted` would.
    listed = cluster.run_kubectl("get", "srvrec", "-n", compute.namespace, "-o", "wide").stdout.splitlines()
    header = ["NAME", "DISPLAY", "NAME", "STATUS", "FLAVOR", "IMAGE", "HOST", "LAUNCHED", "TERMINATED"]
    assert listed[0].split() == header
    row = next(line.split() for line in listed[1:] if line.startswith(uid))
    assert row[1:5] == ["kept", "DELETED", spec["flavor"]["name"], image]
    assert row[5] == spec["host"]


def test_sigkill_between_record_and_finalizer_leaves_one_record(
    compute: Compute, operator: OperatorHandle
) -> None:
    flavor, image = compute.flavor(), compute.image()
    for name in ("raced", "prewritten"):
        compute.create_server(name, flavor=flavor, image=image)
    uids = {name: compute.wait_status(name, "ACTIVE")["metadata"]["uid"] for name in ("raced", "prewritten")}

    # 1. A real SIGKILL the moment the record shows (before or after the finalizer went).
    compute.delete_server("raced")
    wait_for(lambda: record(compute, uids["raced"]), timeout=30, interval=0.02, message="record written")
    operator.kill()
    # 2. The state a SIGKILL right after the record's create leaves: record there, finalizer on.
    compute.delete_server("prewritten")
    held = Server.model_validate(compute.server("prewritten"))
    assert held.metadata.deletion_timestamp
    body = server_records.record_of(held, terminated_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    compute.custom.create_namespaced_custom_object(GROUP, VERSION, compute.namespace, "serverrecords", body)
    written = record(compute, uids["prewritten"])
    assert written is not None
    operator.start()

    for name in ("raced", "prewritten"):
        compute.wait_gone(name, timeout=60)
        assert compute.vm(name) is None
    names = sorted(r["metadata"]["name"] for r in records(compute))
    assert names == sorted(uids.values())
    again = record(compute, uids["prewritten"])
    assert again is not None
    assert again["metadata"]["uid"] == written["metadata"]["uid"]


def test_a_record_whose_retention_is_over_is_deleted(compute: Compute) -> None:
    """The default retention is 30 days: a record terminated 31 days ago is due at once."""
    flavor, image = compute.flavor(), compute.image()
    compute.create_server("old", flavor=flavor, image=image)
    server = Server.model_validate(compute.wait_status("old", "ACTIVE"))
    long_ago = (datetime.now(UTC) - timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = server_records.record_of(server, terminated_at=long_ago)
    body["metadata"]["name"] = "expired-" + server.server_id[:8]
    compute.custom.create_namespaced_custom_object(GROUP, VERSION, compute.namespace, "serverrecords", body)
    recent = server_records.record_of(server, terminated_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    recent["metadata"]["name"] = "recent-" + server.server_id[:8]
    compute.custom.create_namespaced_custom_object(GROUP, VERSION, compute.namespace, "serverrecords", recent)

    wait_for(
        lambda: all(not r["metadata"]["name"].startswith("expired-") for r in records(compute)),
        timeout=40,
        message="expired record deleted",
    )
    assert any(r["metadata"]["name"].startswith("recent-") for r in records(compute))
