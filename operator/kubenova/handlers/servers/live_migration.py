"""Live migration (``spec.liveMigrate``, Nova's ``os-migrateLive``) as KubeVirt does it: a
VirtualMachineInstanceMigration (VMIM) moves the running VMI to the chosen Node.

1. The scheduler picks the target (the current flavor; the source excluded; only the asked host
   when one is given, without the filters with Nova's ``force``) under the placement ledger's
   lock → one write: MIGRATING, both placements in ``status.resize`` (type live-migration), the
   migration record ``queued``. NoValidHost: the action fails, the record is ``error``.
2. The VM template's ``nodeSelector`` is set to the target: kubenova pins every VM to its host,
   and a VMIM's ``addedNodeSelector`` can only restrict the VM's own selector, never override it;
   KubeVirt (``LiveUpdate``) copies the new selector to the running VMI without moving it.
3. Once the VMI's selector names the target, the VMIM ``<vm>-live-<migration uuid prefix>`` is
   created (labelled with the server, ``addedNodeSelector`` = the target). Its phase becomes the
   migration status (``preparing``, ``running``); Succeeded with the VMI on the target → the
   server lives there, the source is released, the record ``completed``.
4. A Failed VMIM, or an abort (``spec.liveMigrationAbort``: the VMIM is deleted, KubeVirt aborts
   it), puts the VM's selector back to the source and leaves the server where it was, idle, the
   record ``error`` (``cancelled``) and the ``live-migration`` action failed.

Every step is persisted before the side effect that follows and first looks at the VM, VMI and
VMIM, so an operator restarted at any point continues without a second VMIM.
"""

from __future__ import annotations

import contextlib

from kubenova import k8s, status
from kubenova.domain import migration_rules as rules
from kubenova.domain.names import SERVER_LABEL
from kubenova.handlers.cluster_view import VMIMS
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import move_placement, move_targets, references, vm_ops, writer
from kubenova.handlers.view_keys import ServerRef
from kubenova.kubevirt import builder, models, reshape
from kubenova.resources.server import ResizeRecord, Server
from kubenova.scheduler import resize_holds
from kubenova.status import live_migration_steps as steps

HOSTNAME = builder.HOSTNAME_LABEL
FINAL = (models.MigrationPhase.SUCCEEDED, models.MigrationPhase.FAILED)


async def step(rt: Runtime, server: Server) -> Server | None:
    """Carry a live migration one step further. Caller holds the Server's lock."""
    if steps.under_way(server) is not None:
        return await _forward(rt, server)
    if steps.may_begin(server):
        return await _begin(rt, server)
    return server


def vmim_name(server: Server, record: ResizeRecord) -> str:
    return f"{server.status.vm_name or server.metadata.name}-live-{(record.migration_uuid or '')[:8]}"


async def _begin(rt: Runtime, server: Server) -> Server | None:
    flavor, request = server.status.flavor, server.spec.live_migrate
    if flavor is None or server.status.host is None or request is None:
        return server
    refused = rules.live_target_refusal(server, request.host, move_targets.compute_hosts(rt))
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
        refuse=lambda s, error: steps.refuse(s, error.message, fault=False, details=error.details),
    )
    if not placed or latest is None:
        return latest
    return await _forward(rt, latest)


async def _forward(rt: Runtime, server: Server) -> Server | None:
    current: Server | None = server
    if rules.abort_pending(server):
        current = await writer.apply(rt, server, steps.abort_taken)
    record = steps.under_way(current) if current is not None else None
    if current is None or record is None:
        return current
    ref = writer.ref_of(current)
    name = vmim_name(current, record)
    vmim = rt.view.vmim(ServerRef(ref.namespace, name))
    phase = vmim.status.phase if vmim is not None else None
    if steps.aborting(current) and vmim is not None and phase not in FINAL:
        await _delete_vmim(rt, ref.namespace, vmim)
        return current
    if steps.aborting(current) and phase is not models.MigrationPhase.SUCCEEDED:
        return await _roll_back(rt, current, record, "Migration was aborted")
    if vmim is None:
        return await _start(rt, current, record, name)
    if phase is models.MigrationPhase.FAILED:
        reason = next((c.message for c in vmim.status.conditions if c.type == "Failed" and c.message), None)
        return await _roll_back(rt, current, record, reason or "The live migration failed")
    if phase is models.MigrationPhase.SUCCEEDED:
        return await _completed(rt, current, record)
    wanted = rules.migration_of_phase(phase.value if phase is not None else None)
    return await writer.apply(rt, current, lambda s: steps.progressed(s, wanted))


async def _completed(rt: Runtime, server: Server, record: ResizeRecord) -> Server | None:
    vmi = rt.view.vmi(writer.ref_of(server))
    if vmi is None or vmi.status.node_name != record.target_host:
        return server  # KubeVirt shows the move on the VMI next
    addresses = dict(status.address_fields(vmi, rt.settings.network_label))
    done = await writer.apply(rt, server, lambda s: steps.completed(s, addresses))
    if done is not None and done.status.resize is None:
        _settle(rt, done, record.target_host, record)
    return done


async def _start(rt: Runtime, server: Server, record: ResizeRecord, name: str) -> Server | None:
    """Pin the VM to the target, then (the VMI has the new selector) create the VMIM."""
    ref = writer.ref_of(server)
    observed = rt.view.vm(ref)
    vmi = rt.view.vmi(ref)
    if observed is None or not builder.owned_by(observed.vm.metadata, server.server_id):
        return server
    if vmi is None or vmi.status.phase is not models.VmiPhase.RUNNING or vmi.metadata.deletion_timestamp:
        return await _roll_back(rt, server, record, "The server's VirtualMachineInstance is not running")
    if vmi.status.node_name == record.target_host:
        return server  # moved already: the VMIM that did it is shown next
    if not reshape.shaped(observed.vm, record.target_flavor, record.target_host):
        await vm_ops.patch_vm(rt, server, reshape.vm_patch(record.target_flavor, record.target_host))
        return server
    if vmi.spec.node_selector.get(HOSTNAME) != record.target_host:
        return server  # KubeVirt copies the VM's selector to the VMI (LiveUpdate); its event comes back
    body = {
        "apiVersion": f"{models.GROUP}/{models.VERSION}",
        "kind": models.VIRTUAL_MACHINE_INSTANCE_MIGRATION.kind,
        "metadata": {"name": name, "namespace": ref.namespace, "labels": {SERVER_LABEL: ref.name}},
        "spec": {"vmiName": vmi.metadata.name, "addedNodeSelector": {HOSTNAME: record.target_host}},
    }
    try:
        created = await rt.client.create(k8s.VIRTUAL_MACHINE_INSTANCE_MIGRATIONS, body, ref.namespace)
    except k8s.AlreadyExists:
        return server  # created before a restart: its watch event brings it
    rt.view.remember(
        VMIMS, ServerRef(ref.namespace, name), models.VirtualMachineInstanceMigration.model_validate(created)
    )
    return await writer.apply(rt, server, lambda s: steps.progressed(s, rules.PREPARING))


async def _roll_back(rt: Runtime, server: Server, record: ResizeRecord, reason: str) -> Server | None:
    """Pin the VM back to the source, then leave the server there, idle."""
    ref = writer.ref_of(server)
    observed = rt.view.vm(ref)
    if observed is not None and not reshape.shaped(observed.vm, record.source_flavor, record.source_host):
        await vm_ops.patch_vm(rt, server, reshape.vm_patch(record.source_flavor, record.source_host))
    done = await writer.apply(rt, server, lambda s: steps.rolled_back(s, reason))
    if done is not None and done.status.resize is None:
        _settle(rt, done, record.source_host, record)
    return done


def _settle(rt: Runtime, server: Server, host: str, record: ResizeRecord) -> None:
    """One placement again: where the server is now."""
    rt.ledger.settle(server.server_id, resize_holds.placed(server.server_id, host, record.source_flavor))


async def _delete_vmim(rt: Runtime, namespace: str, vmim: models.VirtualMachineInstanceMigration) -> None:
    """Delete the VMIM (by uid): KubeVirt aborts a migration whose VMIM is deleted."""
    name, uid = vmim.metadata.name or "", vmim.metadata.uid
    with contextlib.suppress(k8s.NotFound, k8s.Conflict):
        await rt.client.delete(k8s.VIRTUAL_MACHINE_INSTANCE_MIGRATIONS, name, namespace, uid=uid)


def due(server: Server) -> bool:
    """Whether a reconcile has live-migration work for ``server`` (for the resync)."""
    return steps.under_way(server) is not None or steps.may_begin(server)
