"""Pure: the Nova state transitions the Server operations start (the ones KubeVirt's state
implies are in ``kubenova.status.observe``). Each returns ``None`` when the Server is not in a
state the transition applies to, which makes every caller idempotent: running it again after a
restart finds the transition already made and does nothing."""

from __future__ import annotations

from kubenova.resources.server import DesiredPowerState, EmbeddedFlavor, PowerStateName, Server
from kubenova.resources.states import TaskState, VmState
from kubenova.scheduler.errors import NoValidHost
from kubenova.status import ActionFinish, ActionStart, Fault, Transition


def begin_build(server: Server, request_id: str) -> Transition | None:
    """A new Server: BUILD/scheduling, nothing placed yet."""
    if server.status.vm_state is not None:
        return None
    reboot = server.spec.reboot
    return Transition(
        VmState.BUILDING,
        TaskState.SCHEDULING,
        "Scheduling",
        "Server accepted; choosing a host",
        PowerStateName.NOSTATE,
        {
            "progress": 0,
            "addresses": {},
            # A reboot request present at creation is not a reboot to carry out.
            "handledReboot": reboot.request_id if reboot else None,
            "observedGeneration": server.metadata.generation,
        },
        start_action=ActionStart("create", request_id, server.spec.user_id),
    )


def placed(
    server: Server, *, host: str, zone: str, flavor: EmbeddedFlavor, image_id: str
) -> Transition | None:
    """The host is chosen: persist it (and what the build uses) before any VM exists."""
    if server.status.host is not None or server.status.task_state != TaskState.SCHEDULING:
        return None
    return Transition(
        VmState.BUILDING,
        TaskState.SPAWNING,
        "Scheduled",
        f"Server scheduled on host {host} in zone {zone}",
        fields={
            "host": host,
            "hypervisorHostname": host,
            "availabilityZone": zone,
            "flavor": flavor.to_api(),
            "imageId": image_id,
            "vmName": server.metadata.name,
            "progress": 10,
        },
    )


def build_failed(server: Server, message: str, details: str | None = None) -> Transition | None:
    """The build cannot go on (missing flavor/image/keypair, image too big, VM refused)."""
    if server.status.vm_state != VmState.BUILDING:
        return None
    return Transition(
        VmState.ERROR,
        None,
        "BuildFailed",
        message if details is None else f"{message} {details}",
        PowerStateName.NOSTATE,
        fault=Fault(message, details),
        finish_action=ActionFinish("create", "Error", message),
        warning=True,
    )


def no_valid_host(server: Server, error: NoValidHost) -> Transition | None:
    """Nothing passed the filters: ERROR with Nova's message and which filter emptied the list."""
    transition = build_failed(server, error.message, error.details)
    if transition is None:
        return None
    return Transition(
        transition.vm_state,
        transition.task_state,
        "NoValidHost",
        transition.message,
        transition.power_state,
        fault=transition.fault,
        finish_action=transition.finish_action,
        warning=True,
    )


def begin_power(server: Server, request_id: str) -> Transition | None:
    """Stop (Stopped) or start (Running) toward ``spec.powerState``, or switch an opposite
    power task still under way; ``None`` when the server is already there or busy otherwise."""
    desired = server.spec.power_state
    vm_state, task = server.status.vm_state, server.status.task_state
    user = server.spec.user_id
    if desired is DesiredPowerState.STOPPED:
        if (vm_state, task) in ((VmState.ACTIVE, None), (VmState.STOPPED, TaskState.POWERING_ON)):
            return Transition(
                _vm_state(server),
                TaskState.POWERING_OFF,
                "PoweringOff",
                "Stopping server",
                fields=_observed(server),
                start_action=ActionStart("stop", request_id, user),
                finish_action=_superseded("start", task),
            )
        return None
    if (vm_state, task) in ((VmState.STOPPED, None), (VmState.ACTIVE, TaskState.POWERING_OFF)):
        return Transition(
            _vm_state(server),
            TaskState.POWERING_ON,
            "PoweringOn",
            "Starting server",
            fields=_observed(server),
            start_action=ActionStart("start", request_id, user),
            finish_action=_superseded("stop", task),
        )
    return None


def _superseded(action: str, task: str | None) -> ActionFinish | None:
    if task in (TaskState.POWERING_ON, TaskState.POWERING_OFF):
        return ActionFinish(action, "Error", "Superseded by a newer power state request")
    return None


def begin_reboot(server: Server) -> Transition | None:
    """REBOOT/HARD_REBOOT for the pending ``spec.reboot``, if the server can reboot now."""
    reboot = server.spec.reboot
    if reboot is None or reboot.request_id == server.status.handled_reboot:
        return None
    vm_state, task = server.status.vm_state, server.status.task_state
    hard = reboot.type == "HARD"
    can = (vm_state == VmState.ACTIVE and task is None) or (
        hard and vm_state == VmState.ERROR and task is None
    )
    if not can:
        return None
    return Transition(
        _vm_state(server),
        TaskState.REBOOTING_HARD if hard else TaskState.REBOOTING,
        "Rebooting",
        f"{reboot.type} reboot requested ({reboot.request_id})",
        fields=_observed(server),
        start_action=ActionStart("reboot", reboot.request_id, server.spec.user_id),
    )


def reject_reboot(server: Server) -> Transition | None:
    """A reboot the server's state does not allow (Nova answers 409): recorded as failed."""
    reboot = server.spec.reboot
    if reboot is None or reboot.request_id == server.status.handled_reboot:
        return None
    vm_state = _vm_state(server)
    message = f"Cannot '{reboot.type.lower()} reboot' instance while it is in vm_state {vm_state.value}"
    return Transition(
        vm_state,
        _task(server),
        "RebootRejected",
        message,
        fields={"handledReboot": reboot.request_id, **_observed(server)},
        start_action=ActionStart("reboot", reboot.request_id, server.spec.user_id),
        finish_action=ActionFinish("reboot", "Error", message),
        warning=True,
    )


def begin_delete(server: Server, request_id: str) -> Transition | None:
    """Task ``deleting`` (the status keeps its vm_state, as in Nova)."""
    if server.status.task_state == TaskState.DELETING:
        return None
    return Transition(
        _vm_state(server),
        TaskState.DELETING,
        "Deleting",
        "Deleting server",
        fields=_observed(server),
        start_action=ActionStart("delete", request_id, server.spec.user_id),
    )


def _observed(server: Server) -> dict[str, int | None]:
    """``observedGeneration``: the spec generation an operation has acted upon."""
    return {"observedGeneration": server.metadata.generation}


def _task(server: Server) -> TaskState | None:
    task = server.status.task_state
    return TaskState(task) if task is not None and task in TaskState._value2member_map_ else None


def _vm_state(server: Server) -> VmState:
    """The Server's vm_state (a Server not yet seen by the operator counts as building)."""
    value = server.status.vm_state
    return VmState(value) if value is not None and value in VmState._value2member_map_ else VmState.BUILDING
