"""Observing KubeVirt: the VM, VMI and DataVolumes of a Server (from the view) → its Nova state
(``kubenova.status.observe``).

Run on every Server, VM and VMI watch event and by the periodic resync, so a missed event only
delays a state change, never loses it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kubenova import status
from kubenova.handlers.cluster_view import ClusterView
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import writer
from kubenova.kubevirt import builder
from kubenova.resources.server import Server


def observation(view: ClusterView, server: Server) -> status.Observation:
    """The Server's VM and VMI as the view has them; ones left by an earlier same-named Server
    are treated as absent."""
    ref = writer.ref_of(server)
    observed, vmi = view.vm(ref), view.vmi(ref)
    if observed is not None and not builder.owned_by(observed.vm.metadata, server.server_id):
        observed = None
    if vmi is not None and not builder.owned_by(vmi.metadata, server.server_id):
        vmi = None
    volumes = tuple(d for d in view.data_volumes(ref) if builder.owned_by(d.metadata, server.server_id))
    return status.Observation(
        vm=observed.vm if observed is not None else None,
        vmi=vmi,
        vm_printable_status=observed.printable_status if observed is not None else None,
        data_volumes=volumes,
    )


def transition(rt: Runtime, server: Server) -> status.Transition | None:
    return status.observe(
        server,
        observation(rt.view, server),
        network_label=rt.settings.network_label,
        now=datetime.now(UTC),
    )


async def step(rt: Runtime, server: Server) -> Server | None:
    """Bring the Server's status in line with its VM and VMI. Caller holds the Server's lock."""
    if server.status.host is None:
        return server
    return await writer.apply(rt, server, lambda s: transition(rt, s))
