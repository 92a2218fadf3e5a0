"""Resize, confirmResize and revertResize, carried out as a cold move of the VirtualMachine.

A new ``spec.resize.requestId`` asks for a resize to ``spec.flavor``. Every step is persisted
before the side effect that follows it (``status.taskState`` says where the resize is and
``status.resize`` holds both placements), and every step first looks at what KubeVirt shows, so
a reconcile after an operator restart continues where the last one stopped:

1. Checks (Nova's refusals: same flavor, zero-disk flavor, a disk that would shrink), then the
   scheduler picks the target for the new flavor under the placement ledger's lock (the current
   host only with ``KUBENOVA_ALLOW_RESIZE_TO_SAME_HOST``) → one write: ``resize_prep`` and
   ``status.resize``. NoValidHost, or the growth over the project's quota (the recheck, as at
   create): the action fails with Nova's fault, the server stays as it was.
2. ``resize_migrating`` → VM ``runStrategy: Halted``; when its VMI is gone → ``resize_migrated``
   (host, zone and flavor are the new ones).
3. VM template patched (CPU, memory, ``nodeSelector``), root PVC request grown →
   ``resize_finish`` → VM started again if the server ran → VMI running on the target with the
   new shape (or, for a stopped server, at once) → RESIZED (VERIFY_RESIZE).

Confirm drops ``status.resize`` (the old host's hold) in one write; revert (``resize_reverting``)
halts the VM, writes the old host and flavor back, patches the VM back (the grown disk stays: a
claim cannot shrink, and Nova's revert keeps the disk as it is on the source too) and starts it.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from datetime import UTC, datetime

from kubenova import k8s, status
from kubenova.domain import flavors, migration_rules, quotas
from kubenova.domain import resize_rules as resize
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import move_targets, references, scheduling, vm_ops, writer
from kubenova.kubevirt import builder, models, reshape
from kubenova.kubevirt.client import VirtualMachines
from kubenova.resources.server import EmbeddedFlavor, Server
from kubenova.resources.states import TaskState, VmState
from kubenova.scheduler import resize_holds
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_state import HostState
from kubenova.status import resize_operations as ops

LOG = logging.getLogger(__name__)
FAILURE_STATUSES = frozenset(
    {"ErrorUnschedulable", "CrashLoopBackOff", "ErrorPvcNotFound", "DataVolumeError"}
)
"""VM printable statuses with which the VM will not start where it was asked to (KubeVirt's)."""


async def step(rt: Runtime, server: Server) -> Server | None:
    """Carry a resize, confirm or revert one step further. Caller holds the Server's lock."""
    task = server.status.task_state
    if server.status.resize is not None and task in ops.FORWARD_TASKS:
        return await _forward(rt, server)
    if server.status.resize is not None and task is TaskState.RESIZE_REVERTING:
        return await _revert(rt, server)
    if server.status.vm_state is VmState.RESIZED and task is None:
        return await _decide(rt, server)
    if ops.may_begin(server):
        return await _begin(rt, server)
    return server


async def _begin(rt: Runtime, server: Server) -> Server | None:
    current, move = server.status.flavor, ops.pending_move(server)
    if current is None or server.status.host is None or move is None:
        return server
    cold_migration = move[0] == "migration"
    try:
        new = current if cold_migration else flavors.embed(references.flavor(rt.view, server.spec.flavor))
        image = references.image(rt.view, server)
    except references.MissingReference as missing:
        reason = str(missing)
        return await writer.apply(rt, server, lambda s: ops.refuse(s, reason))
    refused = None if cold_migration else resize.refusal(current, new)
    if cold_migration and server.spec.migrate is not None:
        refused = migration_rules.target_host_refusal(
            server, server.spec.migrate.host, move_targets.compute_hosts(rt)
        )
    if refused is not None:
        return await writer.apply(rt, server, lambda s: ops.refuse(s, refused))
    spec = scheduling.request_spec(server, new, image)
    # A move is scheduled anew: no forced host (Nova drops force_hosts), the zone is kept.
    spec = dataclasses.replace(spec, forced_host=None)
    ignore = move_targets.cold_ignored(rt, server, ops.pending_move(server))
    latest: list[Server | None] = [server]

    async def persist(host: HostState) -> str | None:
        current_server = latest[0]
        if current_server is None:
            return None
        latest[0] = await writer.apply(
            rt,
            current_server,
            lambda s: ops.begin(s, host=host.name, zone=host.availability_zone, flavor=new),
        )
        updated = latest[0]
        return updated.status.resize.target_host if updated and updated.status.resize else None

    source = resize_holds.placed(server.server_id, server.status.host, current)
    try:
        admit = scheduling.quota_recheck(rt, server, scheduling.growing(current, new))
        prep = functools.partial(scheduling.with_group, view=rt.view, server=server)
        await rt.ledger.place_resize(
            spec, rt.view, persist, source=source, ignore_hosts=ignore, admit=admit, prepare=prep
        )
    except quotas.QuotaExceeded as over:  # Nova refuses it (403) before the resize starts
        rt.ledger.settle(server.server_id, None)
        message = str(over)
        return await writer.apply(rt, server, lambda s: ops.refuse(s, message, fault=True))
    except NoValidHost as error:
        rt.ledger.settle(server.server_id, None)
        found: NoValidHost = error
        return await writer.apply(
            rt, server, lambda s: ops.refuse(s, found.message, fault=True, details=found.details)
        )
    if latest[0] is None or latest[0].status.resize is None:
        rt.ledger.settle(server.server_id, None)
        return latest[0]
    return await _forward(rt, latest[0])


async def _forward(rt: Runtime, server: Server) -> Server | None:
    """resize_prep → migrating → migrated → finish → RESIZED, as far as KubeVirt allows now."""
    current: Server | None = server
    if current is not None and current.status.task_state is TaskState.RESIZE_PREP:
        current = await writer.apply(rt, current, lambda s: ops.advance(s, TaskState.RESIZE_MIGRATING))
    if current is not None and current.status.task_state is TaskState.RESIZE_MIGRATING:
        if not await vm_ops.halted(rt, current):
            return current
        current = await writer.apply(rt, current, lambda s: ops.advance(s, TaskState.RESIZE_MIGRATED))
    if current is not None and current.status.task_state is TaskState.RESIZE_MIGRATED:
        record = current.status.resize
        if record is None or not await _reshaped(rt, current, record.target_flavor, record.target_host):
            return current
        await _grow_root_disk(rt, current, record.source_flavor, record.target_flavor)
        current = await writer.apply(rt, current, lambda s: ops.advance(s, TaskState.RESIZE_FINISH))
    if current is not None and current.status.task_state is TaskState.RESIZE_FINISH:
        record = current.status.resize
        if record is None:
            return current
        if not await _reshaped(rt, current, record.target_flavor, record.target_host):
            return current  # patched back by someone: patch again before starting
        addresses = await _started(rt, current, record.running, record.target_flavor, record.target_host)
        if addresses is None:
            return current
        current = await writer.apply(
            rt, current, lambda s: ops.finished(s, now=writer.now(), addresses=addresses)
        )
    return current


async def _decide(rt: Runtime, server: Server) -> Server | None:
    """A confirm or revert request, or the confirm window running out."""
    if resize.decision_pending(server):
        decision = server.spec.resize_decision
        if decision is not None and decision.action == "Revert":
            updated = await writer.apply(rt, server, ops.begin_revert)
            return await _revert(rt, updated) if updated is not None else None
        return await _confirm(rt, server, automatic=False)
    if rt.settings.resize_confirm_window > 0 and _waited_out(server, rt.settings.resize_confirm_window):
        return await _confirm(rt, server, automatic=True)
    return server


async def _confirm(rt: Runtime, server: Server, *, automatic: bool) -> Server | None:
    updated = await writer.apply(rt, server, lambda s: ops.confirm(s, automatic=automatic))
    if (
        updated is not None
        and updated.status.resize is None
        and updated.status.host
        and updated.status.flavor
    ):
        rt.ledger.settle(
            updated.server_id,
            resize_holds.placed(updated.server_id, updated.status.host, updated.status.flavor),
        )
    return updated


async def _revert(rt: Runtime, server: Server) -> Server | None:
    record = server.status.resize
    if record is None:
        return server
    current: Server | None = server
    if not ops.source_restored(server):
        if not await vm_ops.halted(rt, server):
            return server
        current = await writer.apply(rt, server, ops.reverted_placement)
    if current is None or not ops.source_restored(current):
        return current
    if not await _reshaped(rt, current, record.source_flavor, record.source_host):
        return current
    addresses = await _started(rt, current, record.running, record.source_flavor, record.source_host)
    if addresses is None:
        return current
    updated = await writer.apply(rt, current, lambda s: ops.reverted(s, addresses=addresses))
    if updated is not None and updated.status.resize is None:
        rt.ledger.settle(
            updated.server_id,
            resize_holds.placed(updated.server_id, record.source_host, record.source_flavor),
        )
    return updated


# ----- the VirtualMachine ------------------------------------------------------------------------


async def _reshaped(rt: Runtime, server: Server, flavor: EmbeddedFlavor, host: str) -> bool:
    """Patch the halted VM to ``flavor`` on ``host`` unless it has that shape; True when it has."""
    observed = vm_ops.owned_vm(rt, server)
    if observed is None:
        return False
    if reshape.shaped(observed.vm, flavor, host):
        return True
    patched = await vm_ops.patch_vm(rt, server, reshape.vm_patch(flavor, host))
    return reshape.shaped(patched.vm, flavor, host)


async def _grow_root_disk(rt: Runtime, server: Server, old: EmbeddedFlavor, new: EmbeddedFlavor) -> None:
    """Raise the root PVC's request to the new flavor's root disk (never lower it)."""
    observed = vm_ops.owned_vm(rt, server)
    claim = reshape.root_claim(observed.vm) if observed is not None else None
    if claim is None:
        return  # an ephemeral containerDisk root: nothing persistent to grow
    try:
        image = references.image(rt.view, server)
    except references.MissingReference:
        image = None
    size = reshape.grown_root_bytes(old, new, image)
    if size is None:
        return
    try:
        await VirtualMachines(rt.client).patch_claim(
            server.metadata.namespace or "", claim, reshape.claim_patch(size)
        )
    except (k8s.Invalid, k8s.Forbidden) as refused:
        # e.g. a StorageClass without allowVolumeExpansion: the resize goes on with the old size.
        LOG.warning("Server %s: root disk %s not grown: %s", writer.ref_of(server), claim, refused)


async def _started(
    rt: Runtime, server: Server, running: bool, flavor: EmbeddedFlavor, host: str
) -> dict[str, object] | None:
    """Start the VM again if the server ran; the addresses once its VMI runs on ``host`` with the
    new shape (``{}`` for a stopped server at once); ``None`` while that is still to come."""
    if not running:
        return {}
    observed = vm_ops.owned_vm(rt, server)
    if observed is None:
        return None
    if observed.printable_status in FAILURE_STATUSES:
        details = "; ".join(f"{c.type}: {c.message}" for c in observed.vm.status.conditions if c.message)
        printable = observed.printable_status or ""
        await writer.apply(rt, server, lambda s: ops.failed_to_start(s, printable, details or None))
        return None
    if observed.vm.spec.run_strategy is not models.RunStrategy.ALWAYS:
        await vm_ops.set_run_strategy(rt, server, models.RunStrategy.ALWAYS, observed)
        return None
    vmi = rt.view.vmi(writer.ref_of(server))
    if vmi is None or vmi.metadata.deletion_timestamp or not builder.owned_by(vmi.metadata, server.server_id):
        return None
    cpu = vmi.spec.domain.cpu
    if vmi.status.phase is not models.VmiPhase.RUNNING or vmi.status.node_name != host:
        return None
    if cpu is None or cpu.cores != flavor.vcpus:
        return None  # an instance of the old shape
    return dict(status.address_fields(vmi, rt.settings.network_label))


def _waited_out(server: Server, window: float) -> bool:
    record = server.status.resize
    if record is None or record.finished_at is None:
        return False
    finished = datetime.fromisoformat(record.finished_at.replace("Z", "+00:00"))
    return (datetime.now(UTC) - finished).total_seconds() >= window


def due(rt: Runtime, server: Server) -> bool:
    """Whether a reconcile has resize work for ``server`` (for the resync)."""
    if server.status.resize is not None and server.status.task_state in ops.RESIZE_TASKS:
        return True
    if server.status.vm_state is VmState.RESIZED and server.status.task_state is None:
        window = rt.settings.resize_confirm_window
        return resize.decision_pending(server) or (window > 0 and _waited_out(server, window))
    return ops.may_begin(server)
