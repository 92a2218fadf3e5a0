"""Reboot: a new ``spec.reboot.requestId`` → task rebooting/rebooting_hard → the VMI is deleted
and KubeVirt's VM controller starts a new one (runStrategy Always) → ACTIVE, and
``status.handledReboot`` records the request.

Steps, each persisted before the next: (1) the uid of the running VMI goes into an annotation,
(2) the task is set, (3) that VMI (and only that one: uid precondition) is deleted. ``observe``
ends the reboot when a VMI with another uid runs. A reboot the state does not allow (stopped,
soft reboot of an ERROR server) is recorded as a failed action, as Nova answers 409; one that
arrives while another task runs (building, powering off) waits for it.
"""

from __future__ import annotations

from typing import Any

import kopf

from kubenova import k8s
from kubenova.handlers import runtime
from kubenova.handlers.runtime import Runtime, ServerRef
from kubenova.handlers.servers import transitions, writer
from kubenova.handlers.servers.observe import REBOOT_VMI_ANNOTATION
from kubenova.kubevirt.client import VirtualMachines
from kubenova.resources.base import GROUP, VERSION
from kubenova.resources.server import Server
from kubenova.resources.states import TaskState, VmState

NO_INSTANCE = "none"
_REBOOTING = frozenset({TaskState.REBOOTING.value, TaskState.REBOOTING_HARD.value})


@kopf.on.update(GROUP, VERSION, "servers", field="spec.reboot")
async def reboot_requested(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    rt = runtime.of(memo)
    await reconcile(rt, ServerRef.of(body))


async def reconcile(rt: Runtime, ref: ServerRef) -> None:
    async with rt.locks.hold(ref):
        await reconcile_locked(rt, ref)


async def reconcile_locked(rt: Runtime, ref: ServerRef) -> None:
    """Carry out a pending reboot request. Caller holds the Server's lock."""
    server = await writer.read(rt, ref)
    if server is None or server.metadata.deletion_timestamp or not pending(server):
        return
    vms = VirtualMachines(rt.client)
    namespace, name = server.metadata.namespace or "", server.status.vm_name or server.metadata.name
    if server.status.task_state in _REBOOTING:
        # Begun before (a restart interrupted it): make sure the old instance goes.
        old = server.metadata.annotations.get(REBOOT_VMI_ANNOTATION)
        if old and old != NO_INSTANCE:
            await vms.delete_instance(namespace, name, uid=old)
        return
    if transitions.begin_reboot(server) is None:
        if _busy(server):
            raise kopf.TemporaryError(f"Server is busy ({server.status.task_state}); reboot waits", delay=3)
        await writer.apply(rt, ref, transitions.reject_reboot, current=server)
        return
    vmi = await vms.get_instance(namespace, name)
    old_uid = vmi.metadata.uid if vmi is not None and vmi.metadata.uid else NO_INSTANCE
    await rt.client.merge_patch(
        k8s.SERVERS,
        name=ref.name,
        namespace=ref.namespace,
        patch={"metadata": {"annotations": {REBOOT_VMI_ANNOTATION: old_uid}}},
    )
    updated = await writer.apply(rt, ref, transitions.begin_reboot)
    if updated is None or updated.status.task_state not in _REBOOTING:
        return
    if old_uid != NO_INSTANCE:
        await vms.delete_instance(namespace, name, uid=old_uid)


def pending(server: Server) -> bool:
    reboot = server.spec.reboot
    return reboot is not None and reboot.request_id != server.status.handled_reboot


def _busy(server: Server) -> bool:
    return server.status.task_state is not None or server.status.vm_state == VmState.BUILDING
