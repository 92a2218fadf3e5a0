"""changePassword's pure parts: Nova's rules (guest agent property, admin user), the VM's access
credential and Secret, and the task's transitions from the VMI's AccessCredentialsSynchronized."""

from __future__ import annotations

from typing import Any

from kubenova.domain import actions, admin_password, pending
from kubenova.kubevirt import builder, models
from kubenova.resources.states import TaskState, VmState
from kubenova.status import password_steps
from tests.unit.operator import factories as f

PLACED = {"host": "node-1", "vmName": "web-1", "vmState": "active", "powerState": "Running"}
ASKED = {"adminPassword": {"requestId": "req-pw"}}
TASK = {"taskState": "updating_password", "task": {"action": "changePassword", "requestId": "req-pw"}}


def _server(status: dict[str, Any] | None = None, spec: dict[str, Any] | None = None) -> Any:
    return f.server(spec={**ASKED, **(spec or {})}, status={**PLACED, **(status or {})})


def _vmi(
    *, credentials: bool = True, synced: str | None = "True", message: str = ""
) -> models.VirtualMachineInstance:
    spec: dict[str, Any] = {}
    if credentials:
        spec["accessCredentials"] = [
            {
                "userPassword": {
                    "source": {"secret": {"secretName": "web-1-admin-password"}},
                    "propagationMethod": {"qemuGuestAgent": {}},
                }
            }
        ]
    conditions = []
    if synced is not None:
        conditions.append({"type": "AccessCredentialsSynchronized", "status": synced, "message": message})
    return models.VirtualMachineInstance.model_validate(
        {
            "metadata": {"name": "web-1", "uid": "vmi-1"},
            "spec": spec,
            "status": {"phase": "Running", "conditions": conditions},
        }
    )


def test_novas_rules() -> None:
    assert admin_password.guest_agent_enabled({"hw_qemu_guest_agent": "yes"})
    assert admin_password.guest_agent_enabled({"hw_qemu_guest_agent": "True"})
    assert not admin_password.guest_agent_enabled({"hw_qemu_guest_agent": "no"})
    assert not admin_password.guest_agent_enabled({})
    assert admin_password.admin_user({"os_admin_user": "cloud"}) == "cloud"
    assert admin_password.admin_user({"os_type": "windows"}) == "Administrator"
    assert admin_password.admin_user({}) == "root"
    row = actions.SERVER_ACTIONS["changePassword"]
    assert (row.task, row.intent) == (TaskState.UPDATING_PASSWORD, actions.Intent.ADMIN_PASSWORD)
    assert {s for s in VmState if row.allows(s, None)} == {VmState.ACTIVE}


def test_a_guest_agent_image_gets_the_access_credential_and_an_empty_secret() -> None:
    plan = builder.build(
        server=f.server(),
        flavor=f.embedded(),
        image=f.image(properties={"hw_qemu_guest_agent": "yes"}),
        keypair=None,
        host="node-a",
    )
    (credential,) = plan.vm.spec.template.spec.access_credentials or []
    assert credential.to_api() == {
        "userPassword": {
            "source": {"secret": {"secretName": "web-1-admin-password"}},
            "propagationMethod": {"qemuGuestAgent": {}},
        }
    }
    assert plan.credentials is not None
    assert plan.credentials["metadata"]["name"] == "web-1-admin-password"
    assert "data" not in plan.credentials
    assert plan.vm.spec.template.spec.domain.devices.log_serial_console is True


def test_other_images_get_neither() -> None:
    plan = builder.build(server=f.server(), flavor=f.embedded(), image=f.image(), keypair=None, host="node-a")
    assert plan.vm.spec.template.spec.access_credentials is None
    assert "accessCredentials" not in plan.vm.to_api()["spec"]["template"]["spec"]
    assert plan.credentials is None


def test_begin_sets_the_task_and_opens_the_action() -> None:
    server = _server()
    assert pending.admin_password_pending(server)
    assert pending.requested_task(server) is TaskState.UPDATING_PASSWORD
    began = password_steps.begin(server)
    assert began is not None
    assert (began.vm_state, began.task_state) == (VmState.ACTIVE, TaskState.UPDATING_PASSWORD)
    assert began.start_action is not None
    assert began.start_action.action == "changePassword"
    assert password_steps.reject(server) is None


def test_a_busy_server_waits_and_a_stopped_one_refuses() -> None:
    assert password_steps.begin(_server({"taskState": "rebooting"})) is None
    assert password_steps.reject(_server({"taskState": "rebooting"})) is None
    stopped = _server({"vmState": "stopped", "powerState": "Shutdown"})
    assert password_steps.begin(stopped) is None
    refused = password_steps.reject(stopped)
    assert refused is not None
    assert refused.fields["handledAdminPassword"] == "req-pw"
    assert refused.finish_action is not None
    assert refused.finish_action.result == "Error"


def test_finish_follows_the_synchronized_condition() -> None:
    server = _server(TASK)
    done = password_steps.finish(server, _vmi())
    assert done is not None
    assert (done.task_state, done.vm_state) == (None, VmState.ACTIVE)
    assert done.finish_action is not None
    assert done.finish_action.result == "Success"
    assert done.fields["handledAdminPassword"] == "req-pw"
    failed = password_steps.finish(server, _vmi(synced="False", message="agent gone"))
    assert failed is not None
    assert (failed.task_state, failed.vm_state) == (None, VmState.ACTIVE)
    assert failed.finish_action is not None
    assert failed.finish_action.result == "Error"
    assert "agent gone" in (failed.finish_action.message or "")
    assert password_steps.finish(server, _vmi(synced=None)) is None  # no verdict yet
    no_agent = password_steps.finish(server, _vmi(credentials=False))
    assert no_agent is not None
    assert admin_password.AGENT_NOT_ENABLED in (no_agent.finish_action.message or "")
    assert password_steps.finish(server, None) is not None  # no instance: fails
    assert password_steps.finish(_server(), _vmi()) is None  # no task
