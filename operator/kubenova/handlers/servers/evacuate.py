"""Evacuation (``spec.evacuate``, Nova's ``evacuate``): the server's host is down, the server is
rebuilt on another host from its persistent root disk, as KubeVirt runs a VM elsewhere.

1. Checks as Nova's (``domain.migration_rules``: the source host down or forced down, the target
   host a compute host other than the source), then the scheduler picks the target (the current
   flavor, the source excluded, the server's group honoured; only the asked host when one is
   given, without the filters with Nova's ``force``) under the placement ledger's lock → one write:
   REBUILDING, both placements in ``status.resize`` (type evacuation), the migration record
   ``pre-migrating``. NoValidHost: ERROR, the record ``error``.
2. The VM is pinned to the target (its template's ``nodeSelector``) and given the run strategy
   of the end state (``Always``; ``Halted`` for a server that ends stopped).
3. The instance left on the dead Node is deleted (by uid). Kubernetes cannot confirm a pod's end
   on a Node that does not answer: the deletion completes once the Node is fenced (deleted, or
   given the ``node.kubernetes.io/out-of-service`` taint; virt-controller then marks the VMI
   Failed and lets it go). KubeVirt's VM controller then starts a new instance (``Always``) from
   the same VM, on the target, with the same root disk: the DataVolume's PVC follows when the
   storage is reachable from the target (RWX, or a CSI driver that detaches from a dead Node).
4. A new instance Running on the target (or, ending stopped, no instance left) → the server lives
   there, the source host is released, the migration ``done``, the ``evacuate`` action finished.

Every step is persisted before the side effect that follows and first looks at the VM and VMI, so
an operator restarted at any point continues without a second target or a second instance.
"""

from __future__ import annotations

import contextlib

from kubenova import k8s, status
from kubenova.domain import migration_rules as rules
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import move_placement, move_targets, references, vm_ops, writer
from kubenova.kubevirt import builder, models, reshape
from kubenova.resources.server import ResizeRecord, Server
from kubenova.scheduler import resize_holds
from kubenova.status import evacuate_steps as steps

HOSTNAME = builder.HOSTNAME_LABEL


async def step(rt: Runtime, server: Server) -> Server | None:
    """Carry an evacuation one step further. Caller holds the Server's lock."""
    if steps.under_way(server) is not None:
        return await _forward(rt, server)
    if steps.may_begin(server):
        return await _begin(rt, server)
    return server


def refusal(rt: Runtime, server: Server) -> str | None:
    """Nova's refusals of an evacuation the gateway may not have checked (``kubectl``)."""
    request = server.spec.evacuate
    nodes = rt.view.compute_nodes()
    refused = rules.evacuate_refusal(server, (n.name for n in nodes if n.ready))
    if refused is None and request is not None and request.host is not None:
        if request.host not in {n.name for n in nodes}:
            refused = rules.evacuate_host_not_found(request.host)
        elif request.host == server.status.host:
            refused = rules.EVACUATE_SAME_HOST
    return refused


async def _begin(rt: Runtime, server: Server) -> Server | None:
    flavor, request = server.status.flavor, server.spec.evacuate
    if flavor is None or server.status.host is None or request is None:
        return server
    refused = refusal(rt, server)
    if refused is not None:
        return await writer.apply(rt, server, lambda s: steps.refuse(s, refused))
    try:
        image = references.image(rt.view, server)
    except references.MissingReference as missing:
        reason = str(missing)
        return await writer.apply(rt, server, lambda s: steps.refuse(s, reason))
    latest, placed = await move_placement.place(
        rt,
        server,
        flavor,
        image,
        target=request.host,
        force=request.force,
        ignore=move_targets.live_ignored(rt, server, request.host),
        begin=lambda s, host: steps.begin(s, host=host.name, zone=host.availability_zone),
        under_way=steps.under_way,
        refuse=lambda s, error: steps.unscheduled(s, error.message, error.details),
    )
    if not placed or latest is None:
        return latest
    return await _forward(rt, latest)


async def _forward(rt: Runtime, server: Server) -> Server | None:
    record = steps.under_way(server)
    observed = vm_ops.owned_vm(rt, server)
    if record is None or observed is None:
        return server
    wanted = models.RunStrategy.ALWAYS if record.running else models.RunStrategy.HALTED
    if not reshape.shaped(observed.vm, record.target_flavor, record.target_host):
        observed = await vm_ops.patch_vm(
            rt, server, reshape.vm_patch(record.target_flavor, record.target_host)
        )
    observed = await vm_ops.set_run_strategy(rt, server, wanted, observed)
    vmi = rt.view.vmi(writer.ref_of(server))
    if vmi is not None and _stale(vmi, record.target_host):
        if not vmi.metadata.deletion_timestamp:
            await _delete_vmi(rt, server, vmi)
        return server  # the instance's events bring the Server back once it is gone
    if record.running:
        if vmi is None or vmi.status.phase is not models.VmiPhase.RUNNING or vmi.metadata.deletion_timestamp:
            return server  # KubeVirt is starting the new instance on the target
        addresses = dict(status.address_fields(vmi, rt.settings.network_label))
    elif vmi is not None:
        return server  # halting: the instance goes away next
    else:
        addresses = {}
    done = await writer.apply(rt, server, lambda s: steps.completed(s, addresses))
    if done is not None and done.status.resize is None:
        _settle(rt, done, record)
    return done


def _stale(vmi: models.VirtualMachineInstance, target: str) -> bool:
    """An instance that is not the target's: on another Node, or pinned to one (started from the
    VM's template before it was pinned to the target)."""
    if vmi.status.node_name not in (None, "", target):
        return True
    return vmi.spec.node_selector.get(HOSTNAME) != target


async def _delete_vmi(rt: Runtime, server: Server, vmi: models.VirtualMachineInstance) -> None:
    """Delete the instance left on the dead Node (by uid, so a new one is never hit)."""
    name, uid = vmi.metadata.name or "", vmi.metadata.uid
    with contextlib.suppress(k8s.NotFound, k8s.Conflict):
        await rt.client.delete(k8s.VIRTUAL_MACHINE_INSTANCES, name, writer.ref_of(server).namespace, uid=uid)


def _settle(rt: Runtime, server: Server, record: ResizeRecord) -> None:
    """One placement again: on the target; the dead host's is released."""
    rt.ledger.settle(
        server.server_id, resize_holds.placed(server.server_id, record.target_host, record.source_flavor)
    )


def due(server: Server) -> bool:
    """Whether a reconcile has evacuation work for ``server`` (for the resync)."""
    return steps.under_way(server) is not None or steps.may_begin(server)
