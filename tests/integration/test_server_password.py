"""changePassword through kubectl-style writes: the VM of a guest-agent image carries KubeVirt's
``userPassword`` access credential (propagated by ``qemuGuestAgent``) from the Secret
``<vm>-admin-password``; a new ``spec.adminPassword.requestId`` after the Secret changed is
finished from the VMI's ``AccessCredentialsSynchronized`` condition (the instance is not
restarted); a disconnected guest agent fails the action with the server ACTIVE; an image without
the agent has neither, and the request fails; an operator SIGKILLed mid-task finishes it."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from kubernetes import client

from tests.fixtures.operator import OperatorHandle
from tests.integration.compute import GROUP, VERSION, Compute
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

AGENT_KNOB = "kubevirt-simulator.kubenova.io/guest-agent"
AGENT_IMAGE = {"properties": {"hw_qemu_guest_agent": "yes", "os_admin_user": "cloud"}}


def condition(vmi: dict[str, Any] | None, ctype: str) -> dict[str, Any] | None:
    conditions = ((vmi or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == ctype), None)


def set_password(compute: Compute, vm: str, user: str, password: str) -> None:
    """What a kubectl user (or the gateway) writes: the password into the VM's Secret."""
    data = {user: base64.b64encode(password.encode()).decode()}
    compute.core.patch_namespaced_secret(f"{vm}-admin-password", compute.namespace, {"data": data})


def last_action(compute: Compute, name: str) -> dict[str, Any]:
    actions: list[dict[str, Any]] = compute.server(name)["status"]["actions"]
    return actions[-1]


def handled(compute: Compute, name: str, request: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        status: dict[str, Any] = compute.server(name)["status"]
        return status if status.get("handledAdminPassword") == request else None

    found: dict[str, Any] = wait_for(done, timeout=60, message=f"password request {request} handled")
    return found


@pytest.fixture
def agent_server(compute: Compute) -> tuple[str, dict[str, Any]]:
    name = "pw"
    compute.create_server(name, flavor=compute.flavor(), image=compute.image(**AGENT_IMAGE))
    compute.wait_status(name, "ACTIVE")
    vmi = wait_for(
        lambda: compute.vmi(name) if condition(compute.vmi(name), "AccessCredentialsSynchronized") else None,
        timeout=30,
        message="access credentials synchronized",
    )
    return name, vmi


def test_vm_has_the_access_credential_and_its_secret(compute: Compute, agent_server: tuple[str, Any]) -> None:
    name, vmi = agent_server
    vm = compute.vm(name)
    assert vm is not None
    (credential,) = vm["spec"]["template"]["spec"]["accessCredentials"]
    assert credential == {
        "userPassword": {
            "source": {"secret": {"secretName": f"{name}-admin-password"}},
            "propagationMethod": {"qemuGuestAgent": {}},
        }
    }
    secret = compute.core.read_namespaced_secret(f"{name}-admin-password", compute.namespace)
    assert not secret.data  # empty until a password is asked for
    (owner,) = secret.metadata.owner_references
    assert (owner.kind, owner.uid) == ("Server", compute.server(name)["metadata"]["uid"])
    assert (condition(vmi, "AccessCredentialsSynchronized") or {}).get("status") == "True"
    assert (condition(vmi, "AgentConnected") or {}).get("status") == "True"


def test_a_password_change_is_finished_by_the_synchronized_condition(
    compute: Compute, agent_server: tuple[str, Any]
) -> None:
    name, vmi = agent_server
    set_password(compute, name, "cloud", "s3cret!")
    compute.patch_server(name, {"adminPassword": {"requestId": "req-pw-1"}})
    status = handled(compute, name, "req-pw-1")
    assert (status["status"], status.get("taskState")) == ("ACTIVE", None)
    action = last_action(compute, name)
    assert (action["action"], action["requestId"], action["result"]) == (
        "changePassword",
        "req-pw-1",
        "Success",
    )
    after = compute.vmi(name)
    assert after is not None
    assert after["metadata"]["uid"] == vmi["metadata"]["uid"]  # not restarted
    secret = compute.core.read_namespaced_secret(f"{name}-admin-password", compute.namespace)
    assert base64.b64decode(secret.data["cloud"]).decode() == "s3cret!"
    assert "s3cret!" not in str(compute.server(name))  # never in the Server


def test_a_disconnected_guest_agent_fails_the_action_and_leaves_the_server_active(
    compute: Compute, cluster: Cluster, agent_server: tuple[str, Any]
) -> None:
    name, vmi = agent_server
    node = vmi["status"]["nodeName"]
    with cluster.connected() as api:
        core = client.CoreV1Api(api)
        core.patch_node(node, {"metadata": {"annotations": {AGENT_KNOB: "disconnected"}}})
        try:
            wait_for(
                lambda: (
                    (condition(compute.vmi(name), "AccessCredentialsSynchronized") or {}).get("status")
                    == "False"
                ),
                timeout=30,
                message="credentials no longer synchronized",
            )
            assert condition(compute.vmi(name), "AgentConnected") is None
            set_password(compute, name, "cloud", "n0pe")
            compute.patch_server(name, {"adminPassword": {"requestId": "req-pw-2"}})
            status = handled(compute, name, "req-pw-2")
        finally:
            core.patch_node(node, {"metadata": {"annotations": {AGENT_KNOB: None}}})
    assert (status["status"], status.get("taskState")) == ("ACTIVE", None)
    action = last_action(compute, name)
    assert (action["action"], action["result"]) == ("changePassword", "Error")
    assert "Guest agent is disconnected" in action["message"]


def test_an_image_without_the_guest_agent_gets_no_credential_and_the_request_fails(compute: Compute) -> None:
    compute.create_server("nopw", flavor=compute.flavor(), image=compute.image())
    compute.wait_status("nopw", "ACTIVE")
    vm = compute.vm("nopw")
    assert vm is not None
    assert "accessCredentials" not in vm["spec"]["template"]["spec"]
    with pytest.raises(client.ApiException) as missing:
        compute.core.read_namespaced_secret("nopw-admin-password", compute.namespace)
    assert missing.value.status == 404
    compute.patch_server("nopw", {"adminPassword": {"requestId": "req-pw-3"}})
    handled(compute, "nopw", "req-pw-3")
    action = last_action(compute, "nopw")
    assert (action["action"], action["result"]) == ("changePassword", "Error")
    assert "QEMU guest agent is not enabled" in action["message"]


def test_a_change_persisted_before_a_sigkill_is_finished_after_restart(
    compute: Compute, operator: OperatorHandle, agent_server: tuple[str, Any]
) -> None:
    name, _ = agent_server
    operator.kill()
    try:
        set_password(compute, name, "cloud", "after-kill")
        compute.patch_server(name, {"adminPassword": {"requestId": "req-pw-kill"}})
        task = {"action": "changePassword", "requestId": "req-pw-kill"}
        compute.custom.patch_namespaced_custom_object_status(
            GROUP,
            VERSION,
            compute.namespace,
            "servers",
            name,
            {"status": {"taskState": "updating_password", "task": task}},
        )
    finally:
        operator.start()
    status = handled(compute, name, "req-pw-kill")
    assert (status["status"], status.get("taskState")) == ("ACTIVE", None)
