"""Pure: what a VM/VMI observation means for a Server (``observe``).

spawning → ACTIVE when the VMI runs, powering-off → SHUTOFF when it is gone, powering-on →
ACTIVE, pausing → PAUSED when the VMI has KubeVirt's ``Paused`` condition, unpausing → ACTIVE
when it has lost it, a reboot (once started) ends when the instance runs (a hard one: a VMI other
than the one it replaces, ``status.task``), a failed VMI → ERROR, a VM stopped, started, paused
or unpaused behind kubenova's back is synced; ``None`` when nothing follows. The VMI's way to
Running (Pending, Scheduling, Scheduled) is not written: a build costs one status write when
placed and one when ACTIVE. While the root disk is imported (the VM's DataVolumes, before its
VMI), the build's ``progress`` follows CDI's, written at most every ``PROGRESS_INTERVAL`` seconds
(a quick import costs no write); a failed import (KubeVirt's DataVolumeError) fails the build
with CDI's message.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from kubenova.domain import actions, migration_rules, shelve_rules
from kubenova.kubevirt import cdi_models, models
from kubenova.kubevirt.disks import ROOT_DISK
from kubenova.resources.server import DesiredPowerState, PowerStateName, Server, ServerAddress
from kubenova.resources.states import TaskState, VmState
from kubenova.status import deferred_delete
from kubenova.status.state_change import ActionFinish, Fault, Transition

# VM printable statuses that mean the VM cannot start (KubeVirt has more than the model's enum).
_VM_FAILURE_STATUSES = frozenset(
    {
        "ErrorUnschedulable",
        "CrashLoopBackOff",
        "ErrImagePull",
        "ImagePullBackOff",
        "ErrorPvcNotFound",
        "ErrorDataVolumeNotFound",
        "DataVolumeError",
    }
)
PROGRESS_INTERVAL = 5.0
"""Seconds between two writes of a build's progress (the first one after the build's placement)."""
REBOOT_TASKS = frozenset((*actions.SOFT_REBOOT_TASKS, *actions.HARD_REBOOT_TASKS))
"""The tasks a reboot runs under (Nova's sequence, ``domain.actions``)."""
PENDING_REBOOT_TASKS = frozenset({TaskState.REBOOT_PENDING, TaskState.REBOOT_PENDING_HARD})
"""Taken up, the driver's part not yet under way: the reboot step drives these, not KubeVirt's state."""
_ACTION_OF_TASK = (
    {row.task: row.name for row in actions.SERVER_ACTIONS.values() if row.task is not None}
    | dict.fromkeys(REBOOT_TASKS, "reboot")
    | {TaskState.SPAWNING: "create"}
    | dict.fromkeys(
        (TaskState.RESIZE_MIGRATING, TaskState.RESIZE_MIGRATED, TaskState.RESIZE_FINISH), "resize"
    )
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
    data_volumes: tuple[cdi_models.DataVolume, ...] = ()
    """The server's DataVolumes (created by virt-controller from the VM's templates)."""


def observe(
    server: Server, seen: Observation, *, network_label: str, now: datetime | None = None
) -> Transition | None:
    """The transition KubeVirt's state implies for ``server``, if any (``now``: for progress)."""
    status = server.status
    if status.host is None or server.metadata.deletion_timestamp or status.task_state == TaskState.DELETING:
        return None
    if shelve_rules.in_progress(server):
        return None  # the shelve step owns the VM (a shelved server's VM is halted by design)
    if migration_rules.evacuating(server):
        return None  # the evacuate step owns the VM and the instance left on the dead Node
    vm_state, task = status.vm_state, status.task_state
    if vm_state is None or (
        vm_state is VmState.ERROR and task not in (*actions.HARD_REBOOT_TASKS, TaskState.SOFT_DELETING)
    ):
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
    if vmi is None and task is TaskState.SPAWNING and not is_halted(seen.vm):
        return _spawn_failure(seen) or _import_progress(server, seen, now)
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
    if task is TaskState.RESTORING:
        return deferred_delete.restored(server, fields)
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
    if task is TaskState.SOFT_DELETING and halted:
        return deferred_delete.soft_deleted(server)
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
    if printable == models.PrintableStatus.DATA_VOLUME_ERROR.value:
        details = _data_volume_errors(seen) or details
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


def root_data_volume(seen: Observation) -> cdi_models.DataVolume | None:
    """The DataVolume behind the VM's root disk, if it has one."""
    if seen.vm is None:
        return None
    volume = next((v for v in seen.vm.spec.template.spec.volumes if v.name == ROOT_DISK), None)
    if volume is None or volume.data_volume is None:
        return None
    return next((d for d in seen.data_volumes if d.metadata.name == volume.data_volume.name), None)


def _import_progress(server: Server, seen: Observation, now: datetime | None) -> Transition | None:
    """The build's progress as CDI reports the root disk's import, when a write is due."""
    root = root_data_volume(seen)
    percent = cdi_models.progress_percent(root.status.progress) if root is not None else None
    status = server.status
    if root is None or percent is None or percent >= 100 or percent == (status.progress or 0) or now is None:
        return None
    if status.updated_at is not None:
        try:
            last = datetime.fromisoformat(status.updated_at.replace("Z", "+00:00"))
        except ValueError:
            last = None
        if last is not None and (now - last).total_seconds() < PROGRESS_INTERVAL:
            return None
    return Transition(
        VmState.BUILDING,
        TaskState.SPAWNING,
        "Importing",
        f"Root disk {root.metadata.name}: {root.status.phase} {root.status.progress}",
        fields={"progress": percent},
        announce=False,
    )


def _vm_missing(server: Server, vm_state: VmState, task: TaskState | None) -> Transition | None:
    if task is TaskState.SOFT_DELETING:
        return deferred_delete.soft_deleted(server)  # nothing runs: nothing to power off
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


def _data_volume_errors(seen: Observation) -> str | None:
    """CDI's messages of the server's DataVolumes that stopped on an error."""
    messages = []
    for volume in seen.data_volumes:
        running = volume.status.condition(cdi_models.RUNNING)
        if volume.status.phase == cdi_models.DataVolumePhase.FAILED or (
            running is not None
            and running.status == "False"
            and running.reason in ("Error", "ImagePullFailed")
        ):
            text = running.message if running is not None and running.message else volume.status.phase
            messages.append(f"DataVolume {volume.metadata.name}: {text}")
    return "; ".join(messages) or None


def _condition_messages(conditions: list[models.Condition]) -> str | None:
    messages = [f"{c.type}: {c.message}" for c in conditions if c.message]
    return "; ".join(messages) or None
