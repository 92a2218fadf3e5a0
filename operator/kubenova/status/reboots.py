"""Pure: how a reboot goes on once the operator has taken it up (``operations.begin_reboot`` set
reboot_pending or reboot_pending_hard), following Nova's ``compute/manager.py``: the started task
is set when the driver's reboot is under way, and the server is idle again when it is over.

- SOFT: KubeVirt's VMI ``softreboot`` (the guest restarts in the same instance). Accepted →
  reboot_started, and ``observation`` ends it (the instance runs). Refused → as Nova's libvirt
  driver does when a soft reboot fails, a hard reboot in its place (still reboot_started): the
  instance is replaced (``status.task.replacedInstanceUid``).
- HARD: the instance is deleted (KubeVirt's VM controller starts a new one) → reboot_started_hard,
  over when another instance runs.
"""

from __future__ import annotations

from kubenova.resources.server import Server, ServerTask
from kubenova.resources.states import TaskState, VmState
from kubenova.status.state_change import Transition


def soft_reboot_sent(server: Server, refusal: str | None) -> Transition | None:
    """The softreboot call was answered: accepted (``refusal`` ``None``), else the hard fallback."""
    task = server.status.task
    if server.status.task_state is not TaskState.REBOOT_PENDING or task is None:
        return None
    if refusal is None:
        return Transition(
            server.status.vm_state or VmState.ACTIVE,
            TaskState.REBOOT_STARTED,
            "SoftRebooting",
            f"Guest restart requested from KubeVirt ({task.request_id})",
        )
    fallback = ServerTask(
        action=task.action, request_id=task.request_id, replaced_instance_uid=task.instance_uid
    )
    return Transition(
        server.status.vm_state or VmState.ACTIVE,
        TaskState.REBOOT_STARTED,
        "SoftRebootFailed",
        f"Soft reboot failed ({refusal}); trying hard reboot",
        fields={"task": fallback.to_api()},
        warning=True,
    )


def hard_reboot_started(server: Server) -> Transition | None:
    """The instance a HARD reboot replaces is being deleted."""
    if server.status.task_state is not TaskState.REBOOT_PENDING_HARD:
        return None
    request = server.status.task.request_id if server.status.task else ""
    return Transition(
        server.status.vm_state or VmState.ACTIVE,
        TaskState.REBOOT_STARTED_HARD,
        "HardRebooting",
        f"Instance being replaced ({request})",
    )
