"""Pure: changePassword as Nova's compute manager carries it out (``set_admin_password``), with
KubeVirt's guest agent doing the setting.

``compute/api.py`` sets task ``updating_password`` on an ACTIVE, idle server and records the
``changePassword`` action; the manager asks the driver, then clears the task: the server stays
ACTIVE whatever happened, and a failure fails the action. On KubeVirt the password is already in
the Secret the VM's ``userPassword`` access credential reads (virt-launcher applies a changed
Secret through the guest agent, without a restart); the step waits for virt-handler's verdict, the
VMI condition ``AccessCredentialsSynchronized``: True ends the action with Success, False with
Error and virt-launcher's message. KubeVirt reports a level, not which version of the Secret it
applied: a condition already True when the Secret changed is taken as the answer.
"""

from __future__ import annotations

from kubenova.domain import actions, admin_password, pending
from kubenova.domain.errors import InstanceInvalidState
from kubenova.kubevirt.models import ACCESS_CREDENTIALS_SYNCHRONIZED, VirtualMachineInstance
from kubenova.resources.server import Server, ServerTask
from kubenova.resources.states import TaskState, VmState
from kubenova.status import action_records
from kubenova.status.state_change import ActionFinish, Transition

ROW = actions.SERVER_ACTIONS["changePassword"]


def waits(server: Server) -> bool:
    """A pending change waits while the server builds or another task runs."""
    return server.status.vm_state in (None, VmState.BUILDING) or server.status.task_state is not None


def _refusal(server: Server) -> InstanceInvalidState | None:
    try:
        ROW.check(
            server_id=server.server_id, vm_state=pending.vm_state(server), task_state=None, launched=True
        )
    except InstanceInvalidState as refused:
        return refused
    return None


def begin(server: Server) -> Transition | None:
    """Task updating_password and the action record, for a pending request on an ACTIVE server."""
    request = server.spec.admin_password
    if request is None or not pending.admin_password_pending(server) or waits(server):
        return None
    if _refusal(server) is not None:
        return None
    task = ServerTask(action=ROW.name, request_id=request.request_id)
    return Transition(
        VmState.ACTIVE,
        TaskState.UPDATING_PASSWORD,
        "UpdatingPassword",
        f"Admin password change requested ({request.request_id})",
        fields={"task": task.to_api()},
        start_action=action_records.start_of(server, ROW.name, request.request_id),
    )


def reject(server: Server) -> Transition | None:
    """A request the server's state does not allow (Nova answers 409): recorded as failed."""
    request = server.spec.admin_password
    if request is None or not pending.admin_password_pending(server) or waits(server):
        return None
    refusal = _refusal(server)
    if refusal is None:
        return None
    return Transition(
        pending.vm_state(server),
        None,
        "PasswordChangeRejected",
        str(refusal),
        fields={"handledAdminPassword": request.request_id},
        start_action=action_records.start_of(server, ROW.name, request.request_id),
        finish_action=ActionFinish(ROW.name, "Error", str(refusal)),
        warning=True,
    )


def verdict(vmi: VirtualMachineInstance | None) -> tuple[bool, str] | None:
    """(synchronized, message) from the instance; ``None`` while there is no verdict yet."""
    if vmi is None:
        return False, "the instance is not running"
    if not any(c.user_password is not None for c in vmi.spec.access_credentials or []):
        return False, admin_password.AGENT_NOT_ENABLED
    condition = next((c for c in vmi.status.conditions if c.type == ACCESS_CREDENTIALS_SYNCHRONIZED), None)
    if condition is None:
        return None
    return condition.status == "True", condition.message or ""


def finish(server: Server, vmi: VirtualMachineInstance | None) -> Transition | None:
    """End the running change from the instance's verdict (``None``: keep waiting)."""
    task = server.status.task
    if server.status.task_state is not TaskState.UPDATING_PASSWORD or task is None:
        return None
    found = verdict(vmi)
    if found is None:
        return None
    synchronized, message = found
    fields = {"handledAdminPassword": task.request_id, "task": None}
    if synchronized:
        return Transition(
            VmState.ACTIVE,
            None,
            "PasswordUpdated",
            "Admin password set through the guest agent",
            fields=fields,
            finish_action=ActionFinish(ROW.name, "Success"),
        )
    reason = f"{admin_password.NOT_IMPLEMENTED}: {message}" if message else admin_password.NOT_IMPLEMENTED
    failure = admin_password.failure_message(server.server_id, reason)
    return Transition(
        VmState.ACTIVE,
        None,
        "PasswordUpdateFailed",
        failure,
        fields=fields,
        finish_action=ActionFinish(ROW.name, "Error", failure),
        warning=True,
    )
