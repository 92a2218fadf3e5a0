"""Stop and start: ``spec.powerState`` → task powering-off/on → VM ``runStrategy`` Halted/Always.

The Server's status moves to the power task first (persisted, with the action record); then the
VM is patched. Completion (SHUTOFF when the VMI is gone, ACTIVE when it runs) is observed by
``observe``. The VM is patched only when the Server is building or in a power task: stopping a
VM in the middle of a reboot would leave the reboot waiting forever, so such a change waits
(the write that ends the other task brings the Server back here).
"""

from __future__ import annotations

from kubenova.handlers.cluster_view import VMS
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import writer
from kubenova.kubevirt import builder
from kubenova.kubevirt.client import VirtualMachines
from kubenova.resources.server import Server
from kubenova.resources.states import VmState
from kubenova.status import desired_run_strategy, operations


async def step(rt: Runtime, server: Server) -> Server | None:
    """Move the Server toward ``spec.powerState``. Caller holds the Server's lock."""
    if server.status.host is None:
        return server
    updated = await writer.apply(rt, server, operations.begin_power)
    if updated is None or not _may_patch_vm(updated):
        return updated
    ref = writer.ref_of(updated)
    observed = rt.view.vm(ref)
    if observed is None or not builder.owned_by(observed.vm.metadata, updated.server_id):
        return updated
    wanted = desired_run_strategy(updated.spec.power_state)
    if observed.vm.spec.run_strategy != wanted or observed.vm.spec.running is not None:
        name = updated.status.vm_name or ref.name
        rt.view.remember(
            VMS, ref, await VirtualMachines(rt.client).set_run_strategy(ref.namespace, name, wanted)
        )
    return updated


def _may_patch_vm(server: Server) -> bool:
    task = server.status.task_state
    if server.status.vm_state is VmState.BUILDING:
        return True
    if task in operations.POWER_TASKS:
        return True
    return task is None and server.status.vm_state in (VmState.ACTIVE, VmState.STOPPED)
