"""Pure: the transitions of pause and unpause (``spec.powerState`` Paused/Running), as Nova's
``compute/api.py`` starts them (task pausing/unpausing, the action record) and its compute manager
ends a failed one (``reverts_task_state``). Completion comes from KubeVirt's ``Paused`` VMI
condition (``observation``).
"""

from __future__ import annotations

from kubenova.domain import actions, pending
from kubenova.resources.server import DesiredPowerState, Server
from kubenova.resources.states import TaskState, VmState
from kubenova.status import action_records
from kubenova.status.state_change import ActionFinish, Transition


def begin_pause(server: Server) -> Transition | None:
    """Pause (``spec.powerState: Paused`` on an ACTIVE server) or unpause (``Running`` on a PAUSED
    one); ``None`` when there is nothing to do or the state does not allow it (Nova refuses a pause
    of a stopped server, and a stop of a paused one). A HARD reboot asked of a paused server
    replaces its instance with a running one: it unpauses, no unpause is carried out."""
    if not pending.power_unsettled(server) or pending.reset_pending(server):
        return None
    desired, vm_state = server.spec.power_state, pending.vm_state(server)
    if desired is DesiredPowerState.PAUSED:
        row, reason, message = actions.SERVER_ACTIONS["pause"], "Pausing", "Pausing server"
    elif desired is DesiredPowerState.RUNNING and vm_state is VmState.PAUSED:
        row, reason, message = actions.SERVER_ACTIONS["unpause"], "Unpausing", "Unpausing server"
        if pending.requested_task(server) is TaskState.REBOOTING_HARD:
            return None
    else:
        return None
    if row.task is None or not row.allows(vm_state, server.status.task_state):
        return None
    return Transition(
        vm_state,
        row.task,
        reason,
        message,
        fields={"observedGeneration": server.metadata.generation},
        start_action=action_records.start_of(server, row.name),
    )


def pause_refused(server: Server, refusal: str) -> Transition | None:
    """KubeVirt refused the pause/unpause: back to where it was, the action failed (Nova's
    ``reverts_task_state``), and the power state is not asked for again until the spec changes."""
    task = server.status.task_state
    if task not in (TaskState.PAUSING, TaskState.UNPAUSING):
        return None
    pausing = task is TaskState.PAUSING
    action = "pause" if pausing else "unpause"
    message = f"KubeVirt refused to {action} the instance: {refusal}"
    return Transition(
        VmState.ACTIVE if pausing else VmState.PAUSED,
        None,
        "PauseFailed" if pausing else "UnpauseFailed",
        message,
        fields={"refusedPowerState": server.spec.power_state.value},
        finish_action=ActionFinish(action, "Error", message),
        warning=True,
    )


def forget_refusal(server: Server) -> Transition | None:
    """``spec.powerState`` changed since KubeVirt refused one: it may be asked again."""
    refused = server.status.refused_power_state
    if refused is None or refused is server.spec.power_state or server.status.vm_state is None:
        return None
    return Transition(
        server.status.vm_state,
        server.status.task_state,
        "PowerStateRequest",
        f"spec.powerState is {server.spec.power_state.value}",
        fields={"refusedPowerState": None},
        announce=False,
    )
