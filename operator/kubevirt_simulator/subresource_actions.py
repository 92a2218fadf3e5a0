"""What KubeVirt's virt-api does for each ``subresources.kubevirt.io`` action (pure).

Each function takes the VM (and its VMI, if any) as the API serves them and answers either a
``Rejection`` (the HTTP error virt-api would return) or the ``Write``s to perform. The writes are
the same ones virt-api sends: spec.runStrategy flips for Halted/Always/Once, JSON patches of
``status.stateChangeRequests`` guarded by a ``test`` of the current list (so two concurrent
requests cannot both win) for Manual/RerunOnFailure and restarts, a VirtualMachineInstanceMigration
for ``migrate``, a ``Paused`` VMI condition for pause/unpause (virt-handler's part), and for
``softreboot`` the Event virt-handler posts once the guest was asked to restart (the VMI stays).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kubenova.kubevirt.models import (
    API_VERSION,
    VIRTUAL_MACHINE_INSTANCE_MIGRATION,
    RunStrategy,
    VirtualMachine,
    VirtualMachineInstance,
    VmiPhase,
)
from kubevirt_simulator.vm_decisions import run_strategy_of
from kubevirt_simulator.vmi_facts import condition, is_final

Target = Literal["vm", "vm-status", "vmi-status", "migrations", "events"]


@dataclass(frozen=True)
class Rejection:
    code: int
    reason: str
    """Kubernetes Status reason: Conflict, BadRequest, NotFound."""
    message: str


@dataclass(frozen=True)
class Write:
    target: Target
    operations: list[dict[str, Any]] = field(default_factory=list)
    """JSON patch for vm / vm-status / vmi-status."""
    body: dict[str, Any] | None = None
    """The object to create, for ``migrations`` and ``events``."""


Answer = Rejection | list[Write]

VM_NOT_RUNNING = "VM is not running"


def _conflict(kind: str, name: str, message: str) -> Rejection:
    return Rejection(409, "Conflict", f'Operation cannot be fulfilled on {kind} "{name}": {message}')


def _vm_conflict(vm: VirtualMachine, message: str) -> Rejection:
    return _conflict("virtualmachine.kubevirt.io", vm.metadata.name or "", message)


def _running_patch(vm: VirtualMachine, running: bool) -> Write:
    """virt-api's getRunningPatch: flip runStrategy (or the deprecated running flag)."""
    ops: list[dict[str, Any]]
    if vm.spec.run_strategy is not None:
        strategy = RunStrategy.ALWAYS if running else RunStrategy.HALTED
        ops = [
            {"op": "test", "path": "/spec/runStrategy", "value": vm.spec.run_strategy.value},
            {"op": "replace", "path": "/spec/runStrategy", "value": strategy.value},
        ]
    else:
        ops = [
            {"op": "test", "path": "/spec/running", "value": vm.spec.running},
            {"op": "replace", "path": "/spec/running", "value": running},
        ]
    return Write("vm", ops)


def _change_requests(vm_status: dict[str, Any], changes: list[dict[str, Any]]) -> Write | Rejection:
    """virt-api's getChangeRequestJson: append requests, guarded by a test of the current list."""
    current = vm_status.get("stateChangeRequests")
    if not vm_status:
        ops: list[dict[str, Any]] = [
            {"op": "add", "path": "/status", "value": {"stateChangeRequests": changes}}
        ]
        return Write("vm-status", ops)
    ops = [{"op": "test", "path": "/status/stateChangeRequests", "value": current}]
    if not current:
        ops.append({"op": "add", "path": "/status/stateChangeRequests", "value": changes})
    elif len(changes) == 1 and changes[0]["action"] == "Stop":
        ops.append({"op": "replace", "path": "/status/stateChangeRequests", "value": changes})
    else:
        return Rejection(500, "InternalError", "unable to complete request: stop/start already underway")
    if "startFailure" in vm_status:
        ops.append({"op": "remove", "path": "/status/startFailure"})
    return Write("vm-status", ops)


def _one(write: Write | Rejection) -> Answer:
    return write if isinstance(write, Rejection) else [write]


def _is_active(vmi: VirtualMachineInstance | None) -> bool:
    return vmi is not None and not is_final(vmi) and vmi.status.phase not in (None, VmiPhase.UNKNOWN)


def start(vm: VirtualMachine, vm_status: dict[str, Any], vmi: VirtualMachineInstance | None) -> Answer:
    if _is_active(vmi):
        return _vm_conflict(vm, "VM is already running")
    strategy = run_strategy_of(vm.spec)
    if strategy == RunStrategy.HALTED:
        return [_running_patch(vm, True)]
    if strategy in (RunStrategy.MANUAL, RunStrategy.RERUN_ON_FAILURE):
        if (
            strategy == RunStrategy.RERUN_ON_FAILURE
            and vmi is not None
            and vmi.status.phase == VmiPhase.FAILED
        ):
            return _vm_conflict(vm, "RerunOnFailure does not support starting VM from failed state")
        needs_restart = vmi is not None and (
            (strategy == RunStrategy.RERUN_ON_FAILURE and vmi.status.phase == VmiPhase.SUCCEEDED)
            or (strategy == RunStrategy.MANUAL and is_final(vmi))
        )
        changes: list[dict[str, Any]] = [{"action": "Start"}]
        if needs_restart and vmi is not None:
            changes = [{"action": "Stop", "uid": vmi.metadata.uid}, *changes]
        return _one(_change_requests(vm_status, changes))
    return _vm_conflict(vm, f"{strategy.value} does not support manual start requests")


def stop(vm: VirtualMachine, vm_status: dict[str, Any], vmi: VirtualMachineInstance | None) -> Answer:
    strategy = run_strategy_of(vm.spec)
    running = vmi is not None and not is_final(vmi)
    if strategy == RunStrategy.HALTED:
        if not running:
            return _vm_conflict(vm, VM_NOT_RUNNING)
        return _vm_conflict(vm, "Halted only supports manual stop requests with a shorter graceperiod")
    if strategy in (RunStrategy.MANUAL, RunStrategy.RERUN_ON_FAILURE):
        if not running or vmi is None:
            return _vm_conflict(vm, VM_NOT_RUNNING)
        return _one(_change_requests(vm_status, [{"action": "Stop", "uid": vmi.metadata.uid}]))
    return [_running_patch(vm, False)]


def restart(vm: VirtualMachine, vm_status: dict[str, Any], vmi: VirtualMachineInstance | None) -> Answer:
    strategy = run_strategy_of(vm.spec)
    if strategy in (RunStrategy.HALTED, RunStrategy.ONCE):
        return _vm_conflict(vm, f"RunStategy {strategy.value} does not support manual restart requests")
    if vmi is None:
        return _vm_conflict(vm, f"VM is not running: {RunStrategy.HALTED.value}")
    return _one(
        _change_requests(vm_status, [{"action": "Stop", "uid": vmi.metadata.uid}, {"action": "Start"}])
    )


def migrate(vm: VirtualMachine, vmi: VirtualMachineInstance | None) -> Answer:
    if vmi is None:
        return Rejection(
            404, "NotFound", f'virtualmachineinstance.kubevirt.io "{vm.metadata.name}" not found'
        )
    if vmi.status.phase != VmiPhase.RUNNING:
        return _vm_conflict(vm, VM_NOT_RUNNING)
    body = {
        "apiVersion": API_VERSION,
        "kind": VIRTUAL_MACHINE_INSTANCE_MIGRATION.kind,
        "metadata": {"generateName": "kubevirt-migrate-vm-"},
        "spec": {"vmiName": vm.metadata.name},
    }
    return [Write("migrations", body=body)]


def _vmi_conflict(vmi: VirtualMachineInstance, message: str) -> Rejection:
    return _conflict("virtualmachineinstance.kubevirt.io", vmi.metadata.name or "", message)


def _conditions_patch(current: list[dict[str, Any]], conditions: list[dict[str, Any]]) -> Write:
    """Replace the VMI conditions, only if they are still exactly ``current`` (as stored)."""
    return Write(
        "vmi-status",
        [
            {"op": "test", "path": "/status/conditions", "value": current},
            {"op": "replace", "path": "/status/conditions", "value": conditions},
        ],
    )


PAUSE_FAILED = "Failed to pause VMI: the domain could not be suspended (simulated libvirt failure)"
"""The simulator's wording for virt-handler's failure to suspend the domain (a Node knob)."""


def pause(
    vmi: VirtualMachineInstance, stored_conditions: list[dict[str, Any]], at: str, *, domain_can: bool = True
) -> Answer:
    """``stored_conditions``: the VMI's conditions exactly as the API served them (for the test op).
    ``domain_can=False``: virt-handler fails to suspend the domain (virt-api answers 500)."""
    if vmi.status.phase != VmiPhase.RUNNING:
        return _vmi_conflict(vmi, VM_NOT_RUNNING)
    if condition(vmi, "Paused") is not None:
        return _vmi_conflict(vmi, "VMI is already paused")
    if not domain_can:
        return Rejection(500, "InternalError", PAUSE_FAILED)
    paused = {
        "type": "Paused",
        "status": "True",
        "reason": "PausedByUser",
        "message": "VMI was paused by user",
        "lastTransitionTime": at,
    }
    return [_conditions_patch(stored_conditions, [*stored_conditions, paused])]


def unpause(vmi: VirtualMachineInstance, stored_conditions: list[dict[str, Any]]) -> Answer:
    if vmi.status.phase != VmiPhase.RUNNING:
        return _vmi_conflict(vmi, "VMI is not running")
    if condition(vmi, "Paused") is None:
        return _vmi_conflict(vmi, "VMI is not paused")
    return [_conditions_patch(stored_conditions, [c for c in stored_conditions if c.get("type") != "Paused"])]


NO_AGENT_NOR_ACPI = "VMI neither have the agent connected nor the ACPI feature enabled"
"""virt-launcher's refusal of a soft reboot it has no way to ask the guest for."""


def soft_reboot(vmi: VirtualMachineInstance, *, guest_can: bool, at: str) -> Answer:
    """virt-api's checks (running, not paused), then virt-handler's guest restart: through the
    guest agent or the ACPI power button, the VMI (and its uid) stays; virt-handler posts a
    ``SoftRebooted`` Event. ``guest_can=False``: the guest has neither (virt-api answers 500)."""
    if vmi.status.phase != VmiPhase.RUNNING:
        return _vmi_conflict(vmi, "VMI is not running")
    paused = condition(vmi, "Paused")
    if paused is not None and paused.status == "True":
        return _vmi_conflict(vmi, "VMI is paused")
    if not guest_can:
        return Rejection(500, "InternalError", NO_AGENT_NOR_ACPI)
    meta = vmi.metadata
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": f"{meta.name}.", "namespace": meta.namespace},
        "involvedObject": {
            "apiVersion": API_VERSION,
            "kind": "VirtualMachineInstance",
            "name": meta.name,
            "namespace": meta.namespace,
            "uid": meta.uid,
        },
        "reason": "SoftRebooted",
        "message": "VirtualMachineInstance soft rebooted",
        "type": "Normal",
        "source": {"component": "virt-handler", "host": vmi.status.node_name},
        "firstTimestamp": at,
        "lastTimestamp": at,
        "count": 1,
    }
    return [Write("events", body=event)]
