"""The pending-task rule: what a Server's spec asks for that its status has not caught up with.

An action is a spec change (``spec.powerState``, ``spec.reboot``, deletion); the operator takes it
up a moment later by moving ``status.taskState``. Nova sets the task state synchronously, so in
between the gateway shows (and checks against) the task the spec implies: a second os-stop right
after the first is refused as Nova refuses it. The operator uses the same functions to know which
intent is still to be carried out, so both sides agree by construction.
"""

from __future__ import annotations

from kubenova.domain import migration_rules, shelve_rules
from kubenova.domain import resize_rules as resize
from kubenova.resources.server import DesiredPowerState, Server
from kubenova.resources.states import TaskState, VmState


def vm_state(server: Server) -> VmState:
    """Nova vm_state; a Server the operator has not seen yet is ``building``; a state reset not
    carried out yet shows the state it sets (Nova writes it synchronously)."""
    reset = server.spec.reset_state
    if reset is not None and reset_pending(server):
        return VmState(reset.state)
    return server.status.vm_state or VmState.BUILDING


def reset_pending(server: Server) -> bool:
    """A ``spec.resetState`` request the operator has not carried out yet."""
    reset = server.spec.reset_state
    return reset is not None and reset.request_id != server.status.handled_reset_state


def reboot_pending(server: Server) -> bool:
    """A ``spec.reboot`` request the operator has not handled yet."""
    reboot = server.spec.reboot
    return reboot is not None and reboot.request_id != server.status.handled_reboot


def admin_password_pending(server: Server) -> bool:
    """A ``spec.adminPassword`` request the operator has not finished (or refused) yet."""
    request = server.spec.admin_password
    return request is not None and request.request_id != server.status.handled_admin_password


def rebuild_pending(server: Server) -> bool:
    """A ``spec.rebuild`` request the operator has not handled yet."""
    rebuild = server.spec.rebuild
    return rebuild is not None and rebuild.request_id != server.status.handled_rebuild


def snapshot_pending(server: Server) -> bool:
    """A ``spec.snapshot`` request (createImage/createBackup) the operator has not handled yet."""
    snapshot = server.spec.snapshot
    return snapshot is not None and snapshot.request_id != server.status.handled_snapshot


def rescue_pending(server: Server) -> bool:
    """A ``spec.rescue`` request (rescue or unrescue) the operator has not handled yet."""
    rescue = server.spec.rescue
    return rescue is not None and rescue.request_id != server.status.handled_rescue


def rescue_task(server: Server) -> TaskState | None:
    """RESCUING / UNRESCUING for a pending ``spec.rescue`` the server's vm_state allows."""
    rescue, state = server.spec.rescue, server.status.vm_state
    if rescue is None or not rescue_pending(server):
        return None
    if rescue.state == "Rescued" and state in (VmState.ACTIVE, VmState.STOPPED, VmState.ERROR):
        return TaskState.RESCUING
    if rescue.state == "Unrescued" and state is VmState.RESCUED:
        return TaskState.UNRESCUING
    return None


def power_unsettled(server: Server) -> bool:
    """``spec.powerState`` differs from where the server rests or is heading (the VM may need a
    patch even while the power task is under way, e.g. after a restart between the two writes).
    A power state KubeVirt refused (``status.refusedPowerState``) is not asked again."""
    state, task = server.status.vm_state, server.status.task_state
    desired = server.spec.power_state
    if server.status.refused_power_state is desired:
        return False
    if migration_rules.evacuate_pending(server) or migration_rules.evacuating(server):
        return False  # the evacuation brings the server to its power state itself
    if desired is DesiredPowerState.STOPPED:
        return state == VmState.ACTIVE or task == TaskState.POWERING_ON
    if desired is DesiredPowerState.PAUSED:
        return state == VmState.ACTIVE or task == TaskState.UNPAUSING
    return state in (VmState.STOPPED, VmState.PAUSED) or task in (TaskState.POWERING_OFF, TaskState.PAUSING)


def requested_task(server: Server) -> TaskState | None:
    """The task an intent of the spec implies while the server is idle (``None``: nothing asked)."""
    state = server.status.vm_state
    if server.spec.soft_deleted and state is not VmState.SOFT_DELETED:
        return TaskState.SOFT_DELETING
    if not server.spec.soft_deleted and state is VmState.SOFT_DELETED:
        return TaskState.RESTORING
    shelving = shelve_rules.requested_task(server)
    if shelving is not None:
        return shelving
    if rebuild_pending(server) and state in (VmState.ACTIVE, VmState.STOPPED, VmState.ERROR):
        return TaskState.REBUILDING
    if migration_rules.evacuate_pending(server) and state in (VmState.ACTIVE, VmState.STOPPED, VmState.ERROR):
        return TaskState.REBUILDING
    if rescue_task(server) is not None:
        return rescue_task(server)
    snapshot = server.spec.snapshot
    if snapshot is not None and snapshot_pending(server) and state in (VmState.ACTIVE, VmState.STOPPED):
        return TaskState.IMAGE_SNAPSHOT if snapshot.backup_type is None else TaskState.IMAGE_BACKUP
    reboot = server.spec.reboot
    hard_reboot = reboot is not None and reboot.type == "HARD" and reboot_pending(server)
    powering = _power_task(server, hard_reboot=hard_reboot)
    if powering is not None:
        return powering
    if hard_reboot and state in (VmState.ACTIVE, VmState.ERROR, VmState.PAUSED):
        return TaskState.REBOOTING_HARD
    if reboot is not None and reboot_pending(server) and state in (VmState.ACTIVE, VmState.ERROR):
        return TaskState.REBOOTING
    if admin_password_pending(server) and state is VmState.ACTIVE:
        return TaskState.UPDATING_PASSWORD
    return resize.requested_task(server)


def _power_task(server: Server, *, hard_reboot: bool) -> TaskState | None:
    """The task ``spec.powerState`` implies (``None``: nothing, or refused before)."""
    state, desired = server.status.vm_state, server.spec.power_state
    if server.status.refused_power_state is desired:
        return None
    if state == VmState.ACTIVE and desired is DesiredPowerState.STOPPED:
        return TaskState.POWERING_OFF
    if state == VmState.ACTIVE and desired is DesiredPowerState.PAUSED:
        return TaskState.PAUSING
    if state == VmState.STOPPED and desired is DesiredPowerState.RUNNING:
        return TaskState.POWERING_ON
    if state == VmState.PAUSED and desired is DesiredPowerState.RUNNING and not hard_reboot:
        return TaskState.UNPAUSING
    return None


def soft_delete_unsettled(server: Server) -> bool:
    """``spec.softDeleted`` differs from where the server rests (soft-deleted or not) and no
    soft-delete or restore is under way."""
    if server.status.task_state in (TaskState.SOFT_DELETING, TaskState.RESTORING):
        return False
    return server.spec.soft_deleted != (server.status.vm_state is VmState.SOFT_DELETED)


def task_state(server: Server) -> TaskState | None:
    """Nova task_state as the API shows it: the operator's, else the one a spec change implies."""
    if server.metadata.deletion_timestamp:
        return TaskState.DELETING
    if server.status.vm_state is None:
        return TaskState.SCHEDULING
    if reset_pending(server):
        return None  # Nova's reset clears the task state at once
    if server.status.task_state is not None:
        return server.status.task_state
    return requested_task(server)
