"""The VirtualMachine writes every in-place operation shares: find the server's own VM in the
view, set its ``runStrategy``, patch it, and tell when it has halted.

Each write is remembered in the view at once (the watch event may come later), so the next
step of the same reconcile sees it. Rebuild, rescue, resize (and cold migration), shelve and the
moves use these instead of each keeping a copy.
"""

from __future__ import annotations

from kubenova.handlers.cluster_view import VMS
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import observe, writer
from kubenova.kubevirt import builder, models
from kubenova.kubevirt.client import ObservedVm, VirtualMachines
from kubenova.resources.server import Server

FINISHED = (models.VmiPhase.SUCCEEDED, models.VmiPhase.FAILED)


def vm_name(server: Server) -> str:
    """The VM's name: the one the operator recorded, else the Server's."""
    return server.status.vm_name or server.metadata.name or ""


def owned_vm(rt: Runtime, server: Server) -> ObservedVm | None:
    """The server's VM as the view shows it, if it is this server's (owner uid)."""
    observed = rt.view.vm(writer.ref_of(server))
    if observed is None or not builder.owned_by(observed.vm.metadata, server.server_id):
        return None
    return observed


async def set_run_strategy(
    rt: Runtime, server: Server, wanted: models.RunStrategy, observed: ObservedVm | None = None
) -> ObservedVm | None:
    """Set the VM's ``runStrategy`` (dropping a legacy ``running``) unless it has it already;
    the VM afterwards (``None`` if the view has no VM of this server)."""
    observed = observed if observed is not None else owned_vm(rt, server)
    if observed is None:
        return None
    if observed.vm.spec.run_strategy == wanted and observed.vm.spec.running is None:
        return observed
    ref = writer.ref_of(server)
    updated = await VirtualMachines(rt.client).set_run_strategy(ref.namespace, vm_name(server), wanted)
    rt.view.remember(VMS, ref, updated)
    return updated


async def patch_vm(rt: Runtime, server: Server, patch: dict[str, object]) -> ObservedVm:
    """Merge-patch the server's VM; the VM afterwards."""
    ref = writer.ref_of(server)
    updated = await VirtualMachines(rt.client).patch(ref.namespace, vm_name(server), patch)
    rt.view.remember(VMS, ref, updated)
    return updated


async def halted(rt: Runtime, server: Server, *, instance_gone: bool = False) -> bool:
    """Ask the VM to halt; True once it has: no instance of this server's left, or (unless
    ``instance_gone``) only one that has finished. The instance's events bring the Server back
    while it is still going."""
    observed = owned_vm(rt, server)
    if observed is None:
        return False
    await set_run_strategy(rt, server, models.RunStrategy.HALTED, observed)
    vmi = observe.observation(rt.view, server).vmi
    if vmi is None:
        return True
    return not instance_gone and vmi.status.phase in FINISHED
