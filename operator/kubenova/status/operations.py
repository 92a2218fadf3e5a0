"""Pure: the Nova state transitions the Server operations start (the ones KubeVirt's state implies
are in ``observation``). Guards and task states come from the action table (``domain.actions``);
whether an intent is still to be carried out from ``domain.pending``. Each returns ``None`` when
the Server is not in a state the transition applies to, which makes every caller idempotent:
running it again after a restart finds the transition already made and does nothing.

The operator checks the vm_state and task_state a row allows; whether the server has launched is
the API's check (a server created stopped with kubectl may be started).
"""

from __future__ import annotations

from kubenova.domain import actions, pending
from kubenova.domain.errors import InstanceInvalidState
from kubenova.resources.server import DesiredPowerState, EmbeddedFlavor, PowerStateName, Server, ServerTask
from kubenova.resources.states import TaskState, VmState
from kubenova.scheduler.errors import NoValidHost
from kubenova.status import action_records
from kubenova.status.state_change import ActionFinish, ActionStart, Fault, Transition

POWER_TASKS = frozenset(
    task for task in (actions.SERVER_ACTIONS["os-stop"].task, actions.SERVER_ACTIONS["os-start"].task) if task
)
"""The tasks of stop and start (from the action table)."""


def placed(
    server: Server, *, host: str, zone: str, flavor: EmbeddedFlavor, image_id: str
) -> Transition | None:
    """The host is chosen: BUILD/spawning, with the host and what the build uses persisted (and
    the create action opened) in one write, before any VM exists."""
    status = server.status
    if status.host is not None or status.vm_state not in (None, VmState.BUILDING):
        return None
    if status.task_state not in (None, TaskState.SCHEDULING):
        return None
    return Transition(
        VmState.BUILDING,
        TaskState.SPAWNING,
        "Scheduled",
        f"Server scheduled on host {host} in zone {zone}",
        PowerStateName.NOSTATE,
        {
            **_accepted(server),
            "host": host,
            "hypervisorHostname": host,
            "availabilityZone": zone,
            "flavor": flavor.to_api(),
            "imageId": image_id,
            "vmName": server.metadata.name,
            # 0 until ACTIVE, as Nova's libvirt driver leaves it during a build: `openstack server
            # create --wait -f json` prints a "Progress: N" line into its output for any N > 0.
            "progress": 0,
        },
        start_action=_create_start(server),
    )


def build_failed(server: Server, message: str, details: str | None = None) -> Transition | None:
    """The build cannot go on (missing flavor/image/keypair, image too big, VM refused)."""
    if server.status.vm_state not in (None, VmState.BUILDING):
        return None
    return Transition(
        VmState.ERROR,
        None,
        "BuildFailed",
        message if details is None else f"{message} {details}",
        PowerStateName.NOSTATE,
        _accepted(server),
        start_action=_create_start(server),
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
        transition.fields,
        start_action=transition.start_action,
        fault=transition.fault,
        finish_action=transition.finish_action,
        warning=True,
    )


def begin_power(server: Server) -> Transition | None:
    """Stop (Stopped) or start (Running) toward ``spec.powerState``, or switch an opposite
    power task still under way; ``None`` when the server is already there or busy otherwise."""
    if not pending.power_unsettled(server) or pending.reset_pending(server):
        return None
    if server.spec.power_state is DesiredPowerState.PAUSED or server.status.vm_state is VmState.PAUSED:
        return None  # pause and unpause: ``begin_pause``
    stopping = server.spec.power_state is DesiredPowerState.STOPPED
    row = actions.SERVER_ACTIONS["os-stop" if stopping else "os-start"]
    vm_state, task = pending.vm_state(server), server.status.task_state
    opposite = TaskState.POWERING_ON if stopping else TaskState.POWERING_OFF
    if task is not opposite and not row.allows(vm_state, task):
        return None
    return Transition(
        vm_state,
        row.task,
        "PoweringOff" if stopping else "PoweringOn",
        "Stopping server" if stopping else "Starting server",
        fields=_observed(server),
        start_action=action_records.start_of(server, row.name),
        finish_action=_superseded("start" if stopping else "stop", task),
    )


def _superseded(action: str, task: TaskState | None) -> ActionFinish | None:
    if task in POWER_TASKS:
        return ActionFinish(action, "Error", "Superseded by a newer power state request")
    return None


def reboot_waits(server: Server) -> bool:
    """A pending reboot waits while the server builds or another task runs."""
    return server.status.vm_state in (None, VmState.BUILDING) or server.status.task_state is not None


def begin_reboot(server: Server, replaced_instance_uid: str | None) -> Transition | None:
    """REBOOT/HARD_REBOOT for the pending ``spec.reboot``, if the server can reboot now.

    ``replaced_instance_uid`` is the VMI running now (``None``: none): the reboot is over when
    another one runs."""
    reboot = server.spec.reboot
    if reboot is None or not pending.reboot_pending(server) or reboot_waits(server):
        return None
    row = actions.reboot(reboot.type)
    if _refusal(server, row) is not None or row.task is None:
        return None
    hard = reboot.type == "HARD"
    # A HARD reboot replaces the instance; a SOFT one restarts the guest in it (the VMI stays).
    task = ServerTask(
        action=row.name,
        request_id=reboot.request_id,
        replaced_instance_uid=replaced_instance_uid if hard else None,
        instance_uid=None if hard else replaced_instance_uid,
    )
    return Transition(
        pending.vm_state(server),
        # compute/manager.py's first step once it takes the request up
        TaskState.REBOOT_PENDING_HARD if hard else TaskState.REBOOT_PENDING,
        "Rebooting",
        f"{reboot.type} reboot requested ({reboot.request_id})",
        fields={**_observed(server), "task": task.to_api()},
        start_action=action_records.start_of(server, row.name, reboot.request_id),
    )


def reject_reboot(server: Server) -> Transition | None:
    """A reboot the server's state does not allow (Nova answers 409): recorded as failed."""
    reboot = server.spec.reboot
    if reboot is None or not pending.reboot_pending(server) or reboot_waits(server):
        return None
    refusal = _refusal(server, actions.reboot(reboot.type))
    if refusal is None:
        return None
    message = str(refusal)
    return Transition(
        pending.vm_state(server),
        server.status.task_state,
        "RebootRejected",
        message,
        fields={"handledReboot": reboot.request_id, **_observed(server)},
        start_action=action_records.start_of(server, "reboot", reboot.request_id),
        finish_action=ActionFinish("reboot", "Error", message),
        warning=True,
    )


def _refusal(server: Server, row: actions.ServerAction) -> InstanceInvalidState | None:
    """Why ``row`` may not run on ``server`` now, or ``None``."""
    vm_state = pending.vm_state(server)

    def refuse(attribute: str, value: object) -> InstanceInvalidState:
        return InstanceInvalidState(
            method=row.name, server_id=server.server_id, attribute=attribute, value=value
        )

    try:
        row.check(server_id=server.server_id, vm_state=vm_state, task_state=None, launched=True)
    except InstanceInvalidState as refused:
        return refused
    if server.status.host is None:
        return refuse("launched_at", None)  # never placed: there is nothing to reboot
    if pending.requested_task(server) is not row.task:
        return refuse("vm_state", vm_state.value)  # e.g. a HARD reboot of a stopped server
    return None


def reset_state(server: Server) -> Transition | None:
    """os-resetState (Nova's admin_actions): the vm_state asked, the task cleared, recorded as a
    finished ``resetState`` action; any operation under way is abandoned, as in Nova."""
    reset = server.spec.reset_state
    if reset is None or not pending.reset_pending(server):
        return None
    vm_state = VmState(reset.state)
    fields: dict[str, object] = {"handledResetState": reset.request_id, "task": None, **_observed(server)}
    if server.status.task_state in (*actions.SOFT_REBOOT_TASKS, *actions.HARD_REBOOT_TASKS):
        fields["handledReboot"] = server.status.task.request_id if server.status.task else None
    start = action_records.start_of(server, actions.SERVER_ACTIONS["os-resetState"].name, reset.request_id)
    return Transition(
        vm_state,
        None,
        "StateReset",
        f"State reset to {vm_state.value} by an administrator ({reset.request_id})",
        fields=fields,
        start_action=start,
        finish_action=ActionFinish(start.action, "Success"),
        warning=vm_state is VmState.ERROR,
    )


def begin_delete(server: Server) -> Transition | None:
    """Task ``deleting`` (the status keeps its vm_state, as in Nova)."""
    if server.status.task_state == TaskState.DELETING:
        return None
    return Transition(
        pending.vm_state(server),
        TaskState.DELETING,
        "Deleting",
        "Deleting server",
        fields=_observed(server),
        start_action=action_records.start_of(server, actions.DELETE.name),
    )


def record_requests(server: Server) -> Transition | None:
    """Record the inbox entries that need no operation (lock, unlock), with nothing else changed."""
    recorded = action_records.recorded_at_once(server)
    if not recorded or server.status.vm_state is None:
        return None
    return Transition(
        server.status.vm_state,
        server.status.task_state,
        "Recorded",
        ", ".join(f"{r.action} {r.request_id}" for r in recorded),
        recorded=recorded,
        announce=False,
    )


def _create_start(server: Server) -> ActionStart | None:
    """The create action's record, unless it is recorded already (a build from before a restart)."""
    if any(a.action == "create" for a in server.status.actions):
        return None
    return action_records.start_of(server, "create")


def _accepted(server: Server) -> dict[str, object]:
    """Fields of a Server the operator takes up for the first time (none once it has a state)."""
    if server.status.vm_state is not None:
        return {}
    reboot, rebuild = server.spec.reboot, server.spec.rebuild
    return {
        "addresses": {},
        # A reboot (or rebuild) request present at creation is not one to carry out.
        "handledReboot": reboot.request_id if reboot else None,
        "handledRebuild": rebuild.request_id if rebuild else None,
        "handledSnapshot": server.spec.snapshot.request_id if server.spec.snapshot else None,
        "handledRescue": server.spec.rescue.request_id if server.spec.rescue else None,
        "observedGeneration": server.metadata.generation,
    }


def _observed(server: Server) -> dict[str, int | None]:
    """``observedGeneration``: the spec generation an operation has acted upon."""
    return {"observedGeneration": server.metadata.generation}
