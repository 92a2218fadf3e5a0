"""shelve, shelveOffload and unshelve, carried out on the VirtualMachine.

- shelve (``spec.shelved: true``): task ``shelving`` persisted → VM ``runStrategy: Halted`` →
  SHELVED once its VMI is gone. The host stays the server's (its capacity still counted), the VM
  and its DataVolumes stay. No image is uploaded: the root disk is a persistent DataVolume, kept
  as it is, which is what Nova's shelve snapshot exists to keep.
- offload (a new ``spec.shelveOffload``, or ``KUBENOVA_SHELVED_OFFLOAD_TIME`` after the shelve;
  0: in the shelve's own sequence): task ``shelving_offloading`` → VM unpinned (no
  ``nodeSelector``) → SHELVED_OFFLOADED with no host in one write, then the placement ledger
  forgets the server: its capacity is free. The VM and its disks stay.
- unshelve (``spec.shelved: false``): task ``unshelving``. From SHELVED the VM is started on its
  host. From SHELVED_OFFLOADED the scheduler places it under the ledger's lock (zone from
  ``spec.availabilityZone``, the host of a new ``spec.unshelve``; forced hosts dropped, as Nova
  resets forced destinations) and the host is persisted with task ``spawning`` before the VM is
  pinned there and started; ACTIVE once its VMI runs there. NoValidHost: SHELVED_OFFLOADED again.

Every step first looks at what is persisted and what KubeVirt shows, so a reconcile after an
operator restart continues where the last one stopped.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import TypeGuard

from kubenova import status
from kubenova.domain import shelve_rules as rules
from kubenova.domain.zones import AggregateInfo
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import ledger, references, scheduling, vm_ops, writer
from kubenova.kubevirt import builder, models, vm_pinning
from kubenova.kubevirt.client import ObservedVm
from kubenova.resources.server import Server
from kubenova.resources.states import TaskState, VmState
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_state import HostState, NodeInfo, PlacedServer
from kubenova.status import shelve_steps as steps

FAILURE_STATUSES = frozenset(
    {"ErrorUnschedulable", "CrashLoopBackOff", "ErrorPvcNotFound", "DataVolumeError"}
)
"""VM printable statuses with which the VM will not start where it is pinned (KubeVirt's)."""


async def step(rt: Runtime, server: Server) -> Server | None:
    """Carry a shelve, offload or unshelve one step further. Caller holds the Server's lock."""
    task, state = server.status.task_state, server.status.vm_state
    if task is None:
        return await _begin(rt, server)
    if task is TaskState.SHELVING:
        return await _shelve(rt, server)
    if task is TaskState.SHELVING_OFFLOADING and state is VmState.SHELVED:
        return await _offload(rt, server)
    if state in rules.SHELVED_STATES and task in steps.UNSHELVE_TASKS:
        return await _unshelve(rt, server)
    return server


async def _begin(rt: Runtime, server: Server) -> Server | None:
    if rules.shelve_pending(server):
        updated = await writer.apply(rt, server, steps.begin_shelve)
        return await _shelve(rt, updated) if _in(updated, TaskState.SHELVING) else updated
    if server.status.vm_state is VmState.SHELVED:
        due = _offload_due(rt, server)
        updated = await writer.apply(rt, server, lambda s: steps.begin_offload(s, due=due))
        if not _in(updated, TaskState.SHELVING_OFFLOADING):
            return await _begin_unshelve(rt, updated) if updated is not None else None
        return await _offload(rt, updated) if updated is not None else None
    return await _begin_unshelve(rt, server)


async def _settle(rt: Runtime, server: Server) -> Server:
    """A shelved server's VM halted, and unpinned once offloaded (after an unshelve that failed
    to start it, or a VM started behind kubenova's back)."""
    if not await vm_ops.halted(rt, server) or server.status.vm_state is not VmState.SHELVED_OFFLOADED:
        return server
    observed = vm_ops.owned_vm(rt, server)
    if observed is not None and vm_pinning.pinned_host(observed.vm) is not None:
        await vm_ops.patch_vm(rt, server, vm_pinning.pin_patch(None))
    return server


def _start_failure(
    observed: ObservedVm, vmi: models.VirtualMachineInstance | None
) -> tuple[str, str | None] | None:
    """Why KubeVirt cannot start the VM where it is pinned (its printable status, a failed VMI)."""
    conditions = observed.vm.status.conditions
    if observed.printable_status in FAILURE_STATUSES:
        details = "; ".join(f"{c.type}: {c.message}" for c in conditions if c.message)
        return observed.printable_status or "", details or None
    if vmi is not None and vmi.status.phase is models.VmiPhase.FAILED:
        return vmi.status.reason or "VirtualMachineInstance failed", None
    return None


async def _begin_unshelve(rt: Runtime, server: Server) -> Server | None:
    if not rules.unshelve_pending(server):
        return await _settle(rt, server) if server.status.vm_state in rules.SHELVED_STATES else server
    updated = await writer.apply(rt, server, steps.begin_unshelve)
    return await _unshelve(rt, updated) if _in(updated, TaskState.UNSHELVING) else updated


async def _shelve(rt: Runtime, server: Server) -> Server | None:
    if not await vm_ops.halted(rt, server):
        return server
    at_once = rt.settings.shelved_offload_time == 0
    updated = await writer.apply(
        rt, server, lambda s: steps.shelved(s, now=writer.now(), offload_at_once=at_once)
    )
    if _in(updated, TaskState.SHELVING_OFFLOADING) and updated is not None:
        return await _offload(rt, updated)
    return updated


async def _offload(rt: Runtime, server: Server) -> Server | None:
    if not await vm_ops.halted(rt, server):
        return server
    observed = vm_ops.owned_vm(rt, server)
    if observed is not None and vm_pinning.pinned_host(observed.vm) is not None:
        await vm_ops.patch_vm(rt, server, vm_pinning.pin_patch(None))
    updated = await writer.apply(rt, server, steps.offloaded)
    if updated is not None and updated.status.vm_state is VmState.SHELVED_OFFLOADED:
        rt.ledger.release(updated.server_id)  # the view shows no host now: the capacity is free
    return updated


async def _unshelve(rt: Runtime, server: Server) -> Server | None:
    current = server
    if server.status.vm_state is VmState.SHELVED_OFFLOADED and server.status.host is None:
        placed = await _place(rt, server)
        if placed is None or placed.status.host is None or placed.status.task_state is None:
            return placed
        current = placed
    host = current.status.host
    observed = vm_ops.owned_vm(rt, current)
    if observed is None or host is None:
        return current
    if vm_pinning.pinned_host(observed.vm) != host:
        await vm_ops.patch_vm(rt, current, vm_pinning.pin_patch(host))
        return current  # the VM's watch event brings the Server back here
    if observed.vm.spec.run_strategy is not models.RunStrategy.ALWAYS or observed.vm.spec.running is not None:
        await vm_ops.set_run_strategy(rt, current, models.RunStrategy.ALWAYS)
        return current
    vmi = rt.view.vmi(writer.ref_of(current))
    failure = _start_failure(
        observed, vmi if vmi is not None and builder.owned_by(vmi.metadata, server.server_id) else None
    )
    if failure is not None:
        reason, details = failure
        failed = await writer.apply(rt, current, lambda s: steps.unshelve_failed(s, reason, details))
        if failed is None or failed.status.task_state is not None:
            return failed
        if failed.status.host is None:
            rt.ledger.release(failed.server_id)
        return await _settle(rt, failed)
    if vmi is None or vmi.metadata.deletion_timestamp or not builder.owned_by(vmi.metadata, server.server_id):
        return current
    if vmi.status.phase is not models.VmiPhase.RUNNING or vmi.status.node_name != host:
        return current
    addresses = dict(status.address_fields(vmi, rt.settings.network_label))
    return await writer.apply(rt, current, lambda s: steps.unshelved(s, addresses=addresses))


async def _place(rt: Runtime, server: Server) -> Server | None:
    """Schedule the offloaded server again and persist the host (task spawning)."""
    flavor = server.status.flavor
    try:
        image = references.image(rt.view, server)
    except references.MissingReference as missing:
        reason = str(missing)
        return await writer.apply(rt, server, lambda s: steps.unshelve_no_valid_host(s, reason))
    if flavor is None:
        return server
    # Nova's conductor resets forced destinations; a new spec.unshelve's host is a requested
    # destination, which the filters still check.
    spec = dataclasses.replace(scheduling.request_spec(server, flavor, image), forced_host=None)
    latest: list[Server | None] = [server]

    async def persist(host: HostState) -> str | None:
        current = latest[0]
        if current is None:
            return None
        latest[0] = await writer.apply(
            rt, current, lambda s: steps.unshelve_placed(s, host=host.name, zone=host.availability_zone)
        )
        return latest[0].status.host if latest[0] is not None else None

    try:
        only = _OnlyHost(rt.view, rules.unshelve_host(server))
        await rt.ledger.place(
            spec, only, persist, prepare=lambda s: scheduling.with_group(s, rt.view, server)
        )
    except NoValidHost as error:
        message = error.message if not error.details else f"{error.message} {error.details}"
        return await writer.apply(rt, server, lambda s: steps.unshelve_no_valid_host(s, message))
    return latest[0]


class _OnlyHost:
    """The cluster as placement reads it, narrowed to ``host`` (``None``: every host)."""

    def __init__(self, view: ledger.Hosts, host: str | None) -> None:
        self._view, self._host = view, host

    def compute_nodes(self) -> list[NodeInfo]:
        nodes = self._view.compute_nodes()
        return nodes if self._host is None else [n for n in nodes if n.name == self._host]

    def aggregate_infos(self) -> list[AggregateInfo]:
        return self._view.aggregate_infos()

    def placements(self) -> list[PlacedServer]:
        return self._view.placements()


# ----- the VirtualMachine ------------------------------------------------------------------------


def _in(server: Server | None, task: TaskState) -> TypeGuard[Server]:
    return server is not None and server.status.task_state is task


def _offload_due(rt: Runtime, server: Server) -> bool:
    return rules.offload_due(server, rt.settings.shelved_offload_time, datetime.now(UTC))


def due(rt: Runtime, server: Server) -> bool:
    """Whether a reconcile has shelve work for ``server`` (for the resync)."""
    task, state = server.status.task_state, server.status.vm_state
    if task in steps.SHELVE_TASKS or (state in rules.SHELVED_STATES and task in steps.UNSHELVE_TASKS):
        return True
    if task is not None:
        return False
    if rules.shelve_pending(server) or rules.unshelve_pending(server):
        return True
    if state in rules.SHELVED_STATES:
        observed = vm_ops.owned_vm(rt, server)
        if observed is None:
            return False
        if observed.vm.spec.run_strategy is not models.RunStrategy.HALTED:
            return True
        if state is VmState.SHELVED_OFFLOADED and vm_pinning.pinned_host(observed.vm) is not None:
            return True
    return state is VmState.SHELVED and (rules.offload_pending(server) or _offload_due(rt, server))
