"""A Server's life through kubectl-style spec changes: build, stop, start, reboot, delete."""

from __future__ import annotations

import base64

import pytest
from kubernetes import client

from tests.integration.compute import REQUESTS_ANNOTATION, SERVER_LABEL, Compute
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster


def test_server_builds_to_active_with_host_address_and_vm(compute: Compute) -> None:
    flavor, image = compute.flavor(vcpus=2, ram=256), compute.image()
    compute.create_server("web", flavor=flavor, image=image, name="Web Server")

    server = compute.wait_status("web", "ACTIVE")
    status = server["status"]
    assert status["vmState"] == "active"
    assert status["powerState"] == "Running"
    assert status["host"]
    assert status["hypervisorHostname"] == status["host"]
    assert status["availabilityZone"] == "nova"
    assert status["flavor"]["vcpus"] == 2
    assert status["flavor"]["ram"] == 256
    assert status["imageId"]
    assert status["vmName"] == "web"
    assert status["progress"] == 100
    assert status["launchedAt"]
    address = status["addresses"]["private"][0]
    assert address["version"] == 4
    assert address["type"] == "fixed"
    assert address["macAddr"]
    assert status["networks"] == f"private={address['addr']}"
    assert [(a["action"], a["result"]) for a in status["actions"]] == [("create", "Success")]
    assert status["actions"][0]["requestId"].startswith("req-")

    vm = compute.vm("web")
    assert vm is not None
    assert vm["metadata"]["labels"][SERVER_LABEL] == "web"
    owner = vm["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["uid"]) == ("Server", server["metadata"]["uid"])
    template = vm["spec"]["template"]["spec"]
    assert template["nodeSelector"] == {"kubernetes.io/hostname": status["host"]}
    assert template["domain"]["cpu"]["cores"] == 2
    assert template["hostname"] == "web-server"
    vmi = compute.vmi("web")
    assert vmi is not None
    assert vmi["status"]["nodeName"] == status["host"]

    # One Event per status write of the build (placed, then ACTIVE): at most 5 operator writes.
    compute.wait_events("web", "Scheduled", "Active")


def test_stop_and_start_through_spec_power_state(compute: Compute) -> None:
    flavor, image = compute.flavor(), compute.image()
    compute.create_server("pw", flavor=flavor, image=image)
    compute.wait_status("pw", "ACTIVE")

    # As the gateway sends an action: the spec intent and, in the same patch, the request inbox.
    inbox = '[{"action":"stop","requestId":"req-stop-1","startTime":"2026-01-01T00:00:00Z"}]'
    compute.patch_server("pw", {"powerState": "Stopped"}, annotations={REQUESTS_ANNOTATION: inbox})
    stopped = compute.wait_status("pw", "SHUTOFF")
    assert stopped["status"]["vmState"] == "stopped"
    assert stopped["status"]["powerState"] == "Shutdown"
    vm = compute.vm("pw")
    assert vm is not None
    assert vm["spec"]["runStrategy"] == "Halted"
    wait_for(lambda: compute.vmi("pw") is None, timeout=20, message="VMI gone when stopped")

    compute.patch_server("pw", {"powerState": "Running"})
    started = compute.wait_status("pw", "ACTIVE")
    assert started["status"]["powerState"] == "Running"
    assert compute.vm("pw")["spec"]["runStrategy"] == "Always"  # type: ignore[index]
    actions = [(a["action"], a["result"], a["requestId"]) for a in started["status"]["actions"]]
    assert actions[1] == ("stop", "Success", "req-stop-1")
    assert actions[2][:2] == ("start", "Success")
    assert actions[2][2].startswith("req-")


@pytest.mark.parametrize("kind", ["SOFT", "HARD"])
def test_reboot_is_carried_out_and_recorded(compute: Compute, kind: str) -> None:
    flavor, image = compute.flavor(), compute.image()
    compute.create_server("rb", flavor=flavor, image=image)
    compute.wait_status("rb", "ACTIVE")
    before = compute.vmi("rb")
    assert before is not None

    compute.patch_server("rb", {"reboot": {"type": kind, "requestId": "req-reboot-1"}})

    def rebooted_server() -> dict[str, object] | None:
        server = compute.server("rb")
        status = server["status"]
        done = status.get("handledReboot") == "req-reboot-1" and status["status"] == "ACTIVE"
        return server if done and status.get("taskState") is None else None

    rebooted = wait_for(rebooted_server, timeout=30, message="reboot handled")
    after = compute.vmi("rb")
    assert after is not None
    # HARD replaces the instance; SOFT restarts the guest in it (see test_in_place_operations.py)
    assert (after["metadata"]["uid"] != before["metadata"]["uid"]) is (kind == "HARD")
    last = rebooted["status"]["actions"][-1]  # type: ignore[index]
    assert (last["action"], last["requestId"], last["result"]) == ("reboot", "req-reboot-1", "Success")
    compute.wait_events("rb", "Rebooting", "Rebooted")
    assert any(f"{kind} reboot requested" in m for m in compute.event_messages("rb", "Rebooting"))


def test_reboot_of_a_stopped_server_is_refused_and_recorded(compute: Compute) -> None:
    flavor, image = compute.flavor(), compute.image()
    compute.create_server("rs", flavor=flavor, image=image, powerState="Stopped")
    compute.wait_status("rs", "SHUTOFF")
    compute.patch_server("rs", {"reboot": {"type": "SOFT", "requestId": "req-r"}})

    def refused() -> bool:
        status = compute.server("rs")["status"]
        return bool(status.get("handledReboot") == "req-r" and status["actions"][-1].get("result") == "Error")

    wait_for(refused, timeout=20, message="reboot refused")
    assert compute.server("rs")["status"]["status"] == "SHUTOFF"


def test_delete_removes_the_vm_and_the_server(compute: Compute) -> None:
    flavor, image = compute.flavor(), compute.image()
    compute.create_server("del", flavor=flavor, image=image)
    compute.wait_status("del", "ACTIVE")

    compute.delete_server("del")
    compute.wait_gone("del", timeout=30)
    assert compute.vm("del") is None
    assert compute.vmi("del") is None


def test_large_user_data_travels_in_a_secret_that_goes_with_the_server(compute: Compute) -> None:
    script = "#!/bin/sh\n" + "echo padding\n" * 400  # beyond KubeVirt's 2048-byte inline limit
    flavor, image = compute.flavor(), compute.image()
    user_data = base64.b64encode(script.encode()).decode()
    compute.create_server("big", flavor=flavor, image=image, userData=user_data)
    compute.wait_status("big", "ACTIVE")
    vm = compute.vm("big")
    assert vm is not None
    [volume] = [v for v in vm["spec"]["template"]["spec"]["volumes"] if "cloudInitNoCloud" in v]
    secret_name = volume["cloudInitNoCloud"]["secretRef"]["name"]
    core = compute.core
    secret = core.read_namespaced_secret(secret_name, compute.namespace)
    assert base64.b64decode(secret.data["userdata"]) == script.encode()
    assert secret.metadata.owner_references[0].kind == "Server"

    compute.delete_server("big")
    compute.wait_gone("big")

    def collected() -> bool:
        try:
            core.read_namespaced_secret(secret_name, compute.namespace)
        except client.ApiException as exc:
            return exc.status == 404
        return False

    wait_for(collected, timeout=90, message="the user-data Secret was not garbage-collected")
