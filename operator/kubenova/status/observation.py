"""Pure: what a VM/VMI observation means for a Server (``observe``).

spawning → ACTIVE when the VMI runs, powering-off → SHUTOFF when it is gone, powering-on →
ACTIVE, pausing → PAUSED when the VMI has KubeVirt's ``Paused`` condition, unpausing → ACTIVE
when it has lost it, a reboot (once started) ends when the instance runs (a hard one: a VMI other
than the one it replaces, ``status.task``), a failed VMI → ERROR, a VM stopped, started, paused
or unpaused behind kubenova's back is synced; ``None`` when nothing follows. The VMI's way to
Running (Pending, Scheduling, Scheduled) is not written: a build costs one status write when
placed and one when ACTIVE.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Literal

from kubenova.domain import actions
from kubenova.kubevirt import models
from kubenova.resources.server import DesiredPowerState, PowerStateName, Server, ServerAddress
from kubenova.resources.states import TaskState, VmState
from kubenova.status.state_change import ActionFinish, Fault, Transition

# VM printable statuses that mean the VM cannot start (KubeVirt has more than the model's enum).
_VM_FAILURE_STATUSES = frozenset(
    {"ErrorUnschedulable", "CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "ErrorPvcNotFound"}
)
REBOOT_TASKS = frozenset((*actions.SOFT_REBOOT_TASKS, *actions.HARD_REBOOT_TASKS))
"""The tasks a reboot runs under (Nova's sequence, ``domain.actions``)."""
PENDING_REBOOT_TASKS = frozenset({TaskState.REBOOT_PENDING, TaskState.REBOOT_PENDING_HARD})
"""Taken up, the driver's part not yet under way: the reboot step drives these, not KubeVirt's state."""
_ACTION_OF_TASK = (
    {row.task: row.name for row in actions.SERVER_ACTIONS.values() if row.task is not None}
    | dict.fromkeys(REBOOT_TASKS, "reboot")
    | {TaskState.SPAWNING: "create"}
)
"""Which action a task carries out (the action table's rows, and the build)."""


@dataclass(frozen=True)
class Observation:
    """What KubeVirt shows for a server: its VM and VMI (``None`` when absent).

    ``vm_printable_status`` is the raw ``status.printableStatus`` string, kept apart because
    KubeVirt has values the typed model does not enumerate.
    """

    vm: models.VirtualMachine | None
    vmi: models.VirtualMachineInstance | None
    vm_printable_status: str | None = None


def observe(server: Server, seen: Observation, *, network_label: str) -> Transition | None:
    """The transition KubeVirt's state implies for ``server``, if any."""
    status = server.status
    if status.host is None or server.metadata.deletion_timestamp or status.task_state == TaskState.DELETING:
        return None
    vm_state, task = status.vm_state, status.task_state
    if vm_state is None or (vm_state is VmState.ERROR and task not in actions.HARD_REBOOT_TASKS):
        return None  # ERROR is sticky (as in Nova) until a hard reboot recovers it
    if task in PENDING_REBOOT_TASKS:
        return None
    vmi = seen.vmi
    phase = vmi.status.phase if vmi is not None else None
    if seen.vm is None:
        return _vm_missing(server, vm_state, task)
    if task in REBOOT_TASKS and (
        vmi is None or status.task is None or vmi.metadata.uid == status.task.replaced_instance_uid
    ):
        return None  # the old instance is still there (or not yet recorded): the reboot goes on
    if phase is models.VmiPhase.RUNNING and vmi is not None and not vmi.metadata.deletion_timestamp:
        return _running(server, vmi, vm_state, task, network_label=network_label)
    if phase is models.VmiPhase.FAILED and task is not TaskState.POWERING_OFF:
        return _failed(vm_state, task, vmi)
    if vmi is None or phase in (models.VmiPhase.SUCCEEDED, models.VmiPhase.FAILED):
        return _stopped(server, seen.vm, vm_state, task)
    if task is TaskState.SPAWNING:
        return _spawn_failure(seen)
    return None


def _running(
    server: Server,
    vmi: models.VirtualMachineInstance,
    vm_state: VmState,
    task: TaskState | None,
    *,
    network_label: str,
) -> Transition | None:
    fields = address_fields(vmi, network_label)
    running = PowerStateName.RUNNING
    where = f"on {server.status.host}"
    if task is TaskState.SPAWNING:
        fields |= {"progress": 100, "fault": None}
        return Transition(
            VmState.ACTIVE,
            None,
            "Active",
            f"Server is running {where}",
            running,
            fields,
            finish_action=ActionFinish("create", "Success"),
            launched=True,
        )
    if task is TaskState.POWERING_ON:
        return Transition(
            VmState.ACTIVE,
            None,
            "Started",
            f"Server started {where}",
            running,
            fields,
            finish_action=ActionFinish("start", "Success"),
        )
    paused = is_paused(vmi)
    if task in (TaskState.PAUSING, TaskState.UNPAUSING) or (
        task is None and (vm_state is VmState.PAUSED or paused)
    ):
        return _pause_state(vm_state, task, paused=paused, fields=fields)
    if task in REBOOT_TASKS:
        reboot = server.spec.reboot
        fields |= {"fault": None, "handledReboot": reboot.request_id if reboot else None}
        return Transition(
            VmState.ACTIVE,
            None,
            "Rebooted",
            f"Server rebooted {where}",
            running,
            fields,
            finish_action=ActionFinish("reboot", "Success"),
        )
    if task is None and vm_state in (VmState.ACTIVE, VmState.STOPPED):
        reason = "Running" if vm_state is VmState.ACTIVE else "PowerStateSync"
        return Transition(VmState.ACTIVE, None, reason, f"Server is running {where}", running, fields)
    return None


def _pause_state(
    vm_state: VmState, task: TaskState | None, *, paused: bool, fields: dict[str, Any]
) -> Transition | None:
    """pausing → PAUSED once KubeVirt shows the VMI paused, unpausing → ACTIVE once it does not;
    idle: a pause or unpause done behind kubenova's back (virtctl) is synced."""
    if task is TaskState.PAUSING and paused:
        return Transition(
            VmState.PAUSED,
            None,
            "Paused",
            "Server is paused",
            PowerStateName.PAUSED,
            fields,
            finish_action=ActionFinish("pause", "Success"),
        )
    if task is TaskState.UNPAUSING and not paused:
        return Transition(
            VmState.ACTIVE,
            None,
            "Unpaused",
            "Server is running again",
            PowerStateName.RUNNING,
            fields,
            finish_action=ActionFinish("unpause", "Success"),
        )
    if task is None and vm_state is VmState.ACTIVE and paused:
        return Transition(VmState.PAUSED, None, "PowerStateSync", "Server is paused", PowerStateName.PAUSED)
    if task is None and vm_state is VmState.PAUSED and not paused:
        return Transition(
            VmState.ACTIVE, None, "PowerStateSync", "Server is running", PowerStateName.RUNNING, fields
        )
    return None


def is_paused(vmi: models.VirtualMachineInstance) -> bool:
    """KubeVirt's ``Paused`` VMI condition (set by virt-handler once the domain is paused)."""
    return any(c.type == "Paused" and c.status == "True" for c in vmi.status.conditions)


def _failed(
    vm_state: VmState, task: TaskState | None, vmi: models.VirtualMachineInstance | None
) -> Transition:
    reason = (vmi.status.reason if vmi is not None else None) or "VirtualMachineInstance failed"
    details = _condition_messages(vmi.status.conditions if vmi is not None else [])
    power = PowerStateName.NOSTATE if vm_state is VmState.BUILDING else PowerStateName.CRASHED
    action = (_ACTION_OF_TASK.get(task) if task is not None else None) or (
        "create" if vm_state is VmState.BUILDING else None
    )
    return Transition(
        VmState.ERROR,
        None,
        "Failed",
        f"Server failed: {reason}",
        power,
        fault=Fault(reason, details),
        finish_action=ActionFinish(action, "Error", reason) if action else None,
        warning=True,
    )


def _stopped(
    server: Server, vm: models.VirtualMachine, vm_state: VmState, task: TaskState | None
) -> Transition | None:
    halted = is_halted(vm)
    shutdown = PowerStateName.SHUTDOWN
    if task is TaskState.POWERING_OFF:
        return Transition(
            VmState.STOPPED,
            None,
            "Stopped",
            "Server is stopped",
            shutdown,
            finish_action=ActionFinish("stop", "Success"),
        )
    if task is TaskState.SPAWNING and halted:
        return Transition(
            VmState.STOPPED,
            None,
            "Stopped",
            "Server was created stopped",
            shutdown,
            {"progress": 100},
            finish_action=ActionFinish("create", "Success"),
        )
    if task is None and vm_state is VmState.ACTIVE and halted:
        return Transition(VmState.STOPPED, None, "PowerStateSync", "Server is stopped", shutdown)
    if task is None and vm_state is VmState.STOPPED and server.status.power_state is not shutdown:
        return Transition(VmState.STOPPED, None, "Stopped", "Server is stopped", shutdown)
    return None


def _spawn_failure(seen: Observation) -> Transition | None:
    """A VM KubeVirt reports as unable to start fails the build."""
    printable = seen.vm_printable_status
    if printable is None or printable not in _VM_FAILURE_STATUSES:
        return None
    vm = seen.vm
    details = _condition_messages(vm.status.conditions if vm is not None else [])
    return Transition(
        VmState.ERROR,
        None,
        "Failed",
        f"Server failed to start: {printable}",
        PowerStateName.NOSTATE,
        fault=Fault(printable, details),
        finish_action=ActionFinish("create", "Error", printable),
        warning=True,
    )


def _vm_missing(server: Server, vm_state: VmState, task: TaskState | None) -> Transition | None:
    if vm_state is VmState.BUILDING or task is not None:
        return None  # being built, or an action is under way: its handler owns the VM
    if server.status.power_state is PowerStateName.NOSTATE:
        return None
    return Transition(
        vm_state,
        None,
        "VirtualMachineMissing",
        f"VirtualMachine {server.status.vm_name or server.metadata.name} does not exist",
        PowerStateName.NOSTATE,
        warning=True,
    )


def address_fields(vmi: models.VirtualMachineInstance, network_label: str) -> dict[str, Any]:
    """``addresses`` (Nova shape, under ``network_label``) and the ``networks`` summary."""
    found: list[ServerAddress] = []
    for interface in vmi.status.interfaces:
        ips = interface.ip_addresses or ([interface.ip_address] if interface.ip_address else [])
        for raw in ips:
            try:
                ip = ipaddress.ip_address(raw.split("/")[0])
            except ValueError:
                continue
            if any(a.addr == str(ip) for a in found):
                continue
            version: Literal[4, 6] = 4 if ip.version == 4 else 6
            found.append(ServerAddress(version=version, addr=str(ip), mac_addr=interface.mac))
    if not found:
        return {"addresses": {}, "networks": None}
    return {
        "addresses": {network_label: [a.to_api() for a in found]},
        "networks": f"{network_label}=" + ", ".join(a.addr for a in found),
    }


def is_halted(vm: models.VirtualMachine) -> bool:
    """Whether the VM is asked not to run (runStrategy Halted, or the deprecated running=false)."""
    if vm.spec.run_strategy is not None:
        return vm.spec.run_strategy is models.RunStrategy.HALTED
    return vm.spec.running is False


def desired_run_strategy(power: DesiredPowerState) -> models.RunStrategy:
    """A paused server's VM runs (KubeVirt pauses the instance, not the VM)."""
    return models.RunStrategy.HALTED if power is DesiredPowerState.STOPPED else models.RunStrategy.ALWAYS


def _condition_messages(conditions: list[models.Condition]) -> str | None:
    messages = [f"{c.type}: {c.message}" for c in conditions if c.message]
    return "; ".join(messages) or None
