"""Observing KubeVirt: the VM and VMI of a Server → its Nova state (``kubenova.status.observe``).

Run on every VM/VMI watch event (``handlers.virtualmachines``), after a build step, and by the
periodic resync, so a missed event only delays a state change, never loses it.
"""

from __future__ import annotations

from kubenova import status
from kubenova.handlers.runtime import Runtime, ServerRef
from kubenova.handlers.servers import writer
from kubenova.kubevirt import builder
from kubenova.kubevirt.client import VirtualMachines
from kubenova.resources.server import Server

REBOOT_VMI_ANNOTATION = "compute.kubenova.io/rebooting-vmi"
"""Set by a reboot before it deletes the VMI: the uid of the instance being replaced ("none" if
there was none). The reboot is over when a *different* instance runs."""


async def reconcile(rt: Runtime, ref: ServerRef) -> None:
    async with rt.locks.hold(ref):
        await reconcile_locked(rt, ref)


async def reconcile_locked(rt: Runtime, ref: ServerRef, server: Server | None = None) -> None:
    """Bring the Server's status in line with its VM and VMI. Caller holds the Server's lock."""
    server = server if server is not None else await writer.read(rt, ref)
    if server is None or server.status.host is None:
        return
    seen = await observation(rt, server)
    await writer.apply(
        rt, ref, lambda s: status.observe(s, seen, network_label=rt.settings.network_label), current=server
    )


async def observation(rt: Runtime, server: Server) -> status.Observation:
    """The Server's VM and VMI as they are now; ones left by an earlier same-named Server are
    treated as absent."""
    vms = VirtualMachines(rt.client)
    namespace = server.metadata.namespace or ""
    name = server.status.vm_name or server.metadata.name
    observed = await vms.get(namespace, name)
    vmi = await vms.get_instance(namespace, name)
    if observed is not None and not builder.owned_by(observed.vm.metadata, server.server_id):
        observed = None
    if vmi is not None and not builder.owned_by(vmi.metadata, server.server_id):
        vmi = None
    return status.Observation(
        vm=observed.vm if observed is not None else None,
        vmi=vmi,
        vm_printable_status=observed.printable_status if observed is not None else None,
        rebooting_vmi_uid=server.metadata.annotations.get(REBOOT_VMI_ANNOTATION),
    )
