"""Read-only questions about VMI objects that several controllers ask (pure)."""

from __future__ import annotations

from pydantic import ValidationError

from kubenova.k8s import JsonObject as Obj
from kubenova.kubevirt.models import Condition, VirtualMachineInstance, VmiPhase

FINAL_PHASES = frozenset({VmiPhase.SUCCEEDED, VmiPhase.FAILED})


def read_vmi(obj: Obj) -> VirtualMachineInstance:
    """A VMI for bookkeeping: if its spec does not parse, metadata and status still do.

    Only virt-handler's own step needs a valid spec (it refuses to run such a VMI); everyone else
    must still be able to see, stop, delete and count it.
    """
    try:
        return VirtualMachineInstance.model_validate(obj)
    except ValidationError:
        return VirtualMachineInstance.model_validate({**obj, "spec": {}})


def is_final(vmi: VirtualMachineInstance) -> bool:
    return vmi.status.phase in FINAL_PHASES


def is_deleting(vmi: VirtualMachineInstance) -> bool:
    return vmi.metadata.deletion_timestamp is not None


def condition(vmi: VirtualMachineInstance, ctype: str) -> Condition | None:
    return next((c for c in vmi.status.conditions if c.type == ctype), None)


def was_running(vmi: VirtualMachineInstance) -> bool:
    """Whether the VMI ever reached Running (KubeVirt reads this from the phase transition log)."""
    return vmi.status.phase == VmiPhase.RUNNING or any(
        t.phase == VmiPhase.RUNNING for t in vmi.status.phase_transition_timestamps
    )


def is_migrating(vmi: VirtualMachineInstance) -> bool:
    state = vmi.status.migration_state
    return state is not None and state.start_timestamp is not None and state.end_timestamp is None


def controller_uid(vmi: VirtualMachineInstance) -> str | None:
    for ref in vmi.metadata.owner_references:
        if ref.get("controller"):
            return str(ref.get("uid"))
    return None


def pod_ip(vmi: VirtualMachineInstance) -> str | None:
    """The pool address recorded in the VMI status (first interface with an address)."""
    for iface in vmi.status.interfaces:
        if iface.ip_address:
            return iface.ip_address
    return None
