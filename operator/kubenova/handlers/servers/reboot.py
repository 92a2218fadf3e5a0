"""Reboot: a new ``spec.reboot.requestId`` → task rebooting/rebooting_hard → the VMI is deleted
and KubeVirt's VM controller starts a new one (runStrategy Always) → ACTIVE, and
``status.handledReboot`` records the request.

Two steps, the first persisted before the second: (1) one status write sets the task and records
in ``status.task`` the uid of the running VMI, (2) that VMI (and only that one: uid precondition)
is deleted. ``observe`` ends the reboot when a VMI with another uid runs. A reboot the state does
not allow (stopped, soft reboot of an ERROR server) is recorded as a failed action, as Nova
answers 409; one that arrives while another task runs (building, powering off) waits for it.
"""

from __future__ import annotations

from kubenova import status
from kubenova.domain import pending
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import writer
from kubenova.kubevirt import builder
from kubenova.kubevirt.client import VirtualMachines
from kubenova.resources.server import Server
from kubenova.status import operations
from kubenova.status.observation import REBOOT_TASKS


async def step(rt: Runtime, server: Server) -> Server | None:
    """Carry out a pending reboot request. Caller holds the Server's lock."""
    if server.status.task_state in REBOOT_TASKS:
        # Begun (maybe before a restart): make sure the instance it replaces goes.
        task = server.status.task
        if task is not None and task.replaced_instance_uid:
            await _delete_instance(rt, server, task.replaced_instance_uid)
        return server
    if not pending.reboot_pending(server) or operations.reboot_waits(server):
        return server
    vmi = rt.view.vmi(writer.ref_of(server))
    running = (
        vmi.metadata.uid if vmi is not None and builder.owned_by(vmi.metadata, server.server_id) else None
    )

    def decide(s: Server) -> status.Transition | None:
        return operations.begin_reboot(s, running) or operations.reject_reboot(s)

    updated = await writer.apply(rt, server, decide)
    if updated is not None and updated.status.task_state in REBOOT_TASKS and running:
        await _delete_instance(rt, updated, running)
    return updated


async def _delete_instance(rt: Runtime, server: Server, uid: str) -> None:
    """Delete the VMI ``uid`` once (a reconcile soon after must not send it again)."""
    vmi = rt.view.vmi(writer.ref_of(server))
    if vmi is None or vmi.metadata.uid != uid or vmi.metadata.deletion_timestamp:
        return  # already replaced or going
    name, namespace = server.status.vm_name or server.metadata.name, server.metadata.namespace or ""
    await rt.view.delete_once(
        uid, lambda: VirtualMachines(rt.client).delete_instance(namespace, name, uid=uid)
    )
