"""Pause and unpause: ``spec.powerState`` Paused (from ACTIVE) / Running (from PAUSED) → task
pausing/unpausing → KubeVirt's VMI ``pause``/``unpause`` subresource (virt-handler pauses the
domain; the VMI gets the ``Paused`` condition, the VM shows ``Paused``).

The task (with the action record) is persisted first; then the subresource is called, unless the
VMI already shows the wanted state (after a restart between the two, or a second reconcile before
the VMI's event). ``observe`` ends the task from the VMI's condition. A refusal by KubeVirt ends
it with a failed action and ``status.refusedPowerState`` (not asked again until the spec changes).
"""

from __future__ import annotations

from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import writer
from kubenova.kubevirt import builder
from kubenova.kubevirt.client import VirtualMachines
from kubenova.resources.server import Server
from kubenova.resources.states import TaskState
from kubenova.status import pauses
from kubenova.status.observation import is_paused

_ALREADY = ("already paused", "not paused")
"""virt-api's 409 for a VMI already in the wanted state: what was asked holds."""


async def step(rt: Runtime, server: Server) -> Server | None:
    """Move the Server toward a paused or unpaused ``spec.powerState``. Caller holds its lock."""
    if server.status.host is None:
        return server
    updated = await writer.apply(rt, server, pauses.forget_refusal)
    if updated is None:
        return None
    updated = await writer.apply(rt, updated, pauses.begin_pause)
    if updated is None or updated.status.task_state not in (TaskState.PAUSING, TaskState.UNPAUSING):
        return updated
    pausing = updated.status.task_state is TaskState.PAUSING
    vmi = rt.view.vmi(writer.ref_of(updated))
    if vmi is None or not builder.owned_by(vmi.metadata, updated.server_id) or is_paused(vmi) is pausing:
        return updated  # no instance (observe decides), or already as asked (observe ends the task)
    name, namespace = updated.status.vm_name or updated.metadata.name, updated.metadata.namespace or ""
    refusal = await VirtualMachines(rt.client).instance_action(
        namespace, name, "pause" if pausing else "unpause"
    )
    if refusal is None or any(phrase in refusal for phrase in _ALREADY):
        return updated
    return await writer.apply(rt, updated, lambda s: pauses.pause_refused(s, refusal))
