"""Soft delete, restore and reclaim (``spec.softDeleted``; ``status.deferred_delete`` decides):
the status moves to the task first (persisted, with the action record), then the VM's
``runStrategy`` is patched (Halted to soft-delete, Always to restore); completion is observed
(``observe``). A server SOFT_DELETED longer than ``KUBENOVA_RECLAIM_INSTANCE_INTERVAL_SECONDS``
is deleted (a Kubernetes delete of the Server: the usual teardown and record follow); the time
comes from ``status.softDeletedAt``, so a restart loses nothing; it is looked at with every
reconcile and resync (every ``KUBENOVA_RESYNC_SECONDS``; Nova's reclaim is a periodic task too).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from kubenova import k8s
from kubenova.handlers.cluster_view import VMS
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import writer
from kubenova.kubevirt import builder
from kubenova.kubevirt.client import VirtualMachines
from kubenova.resources.server import Server
from kubenova.status import deferred_delete


async def step(rt: Runtime, server: Server) -> Server | None:
    """Carry out ``spec.softDeleted``, and reclaim when due. Caller holds the Server's lock."""
    if server.status.host is None:
        return server
    updated = await writer.apply(rt, server, lambda s: deferred_delete.begin_soft_delete(s, now=writer.now()))
    if updated is not None:
        updated = await writer.apply(rt, updated, deferred_delete.begin_restore)
    if updated is None:
        return None
    if await _reclaim(rt, updated):
        return None
    wanted = deferred_delete.wanted_run_strategy(updated)
    ref = writer.ref_of(updated)
    observed = rt.view.vm(ref)
    if wanted is None or observed is None or not builder.owned_by(observed.vm.metadata, updated.server_id):
        return updated
    if observed.vm.spec.run_strategy != wanted or observed.vm.spec.running is not None:
        name = updated.status.vm_name or ref.name
        rt.view.remember(
            VMS, ref, await VirtualMachines(rt.client).set_run_strategy(ref.namespace, name, wanted)
        )
    return updated


def vm_behind(rt: Runtime, server: Server) -> bool:
    """A soft delete or restore whose VM patch did not happen (for the resync)."""
    wanted = deferred_delete.wanted_run_strategy(server)
    if wanted is None:
        return False  # the common case: no VM to read (and parse)
    observed = rt.view.vm(writer.ref_of(server))
    return observed is not None and observed.vm.spec.run_strategy is not wanted


def reclaim_due(rt: Runtime, server: Server) -> bool:
    due = deferred_delete.reclaim_at(server, rt.settings.reclaim_instance_interval_seconds)
    return due is not None and due <= datetime.now(UTC)


async def _reclaim(rt: Runtime, server: Server) -> bool:
    """Delete a soft-deleted Server whose interval is over (``True`` when it did)."""
    if not reclaim_due(rt, server):
        return False
    ref = writer.ref_of(server)
    with contextlib.suppress(k8s.NotFound):
        await rt.client.delete(k8s.SERVERS, ref.name, ref.namespace, uid=server.server_id)
    rt.events.post(server, reason="Reclaimed", message="Reclaim interval over: deleting the server")
    return True
