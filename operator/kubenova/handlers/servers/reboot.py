"""Reboot: a new ``spec.reboot.requestId`` → Nova's task sequence, carried out on KubeVirt.

1. One status write takes the request up: task reboot_pending (SOFT) or reboot_pending_hard, and
   ``status.task`` with the request id and the uid of the running VMI.
2. SOFT: KubeVirt's VMI ``softreboot`` subresource (guest agent, else ACPI; the VMI stays). Its
   answer is persisted: reboot_started, or, when KubeVirt refuses, Nova's libvirt fallback, a
   hard reboot (``status.task.replacedInstanceUid``) still under reboot_started.
   HARD: the VMI (that uid only) is deleted; KubeVirt's VM controller (runStrategy Always) starts
   a new one, as its VM ``restart`` subresource would; then reboot_started_hard.
3. ``observe`` ends it: ACTIVE when the instance runs (a new one, after a hard reboot).

Each step first looks at what is persisted, so after a restart it goes on where it stopped (a
softreboot sent just before a crash is sent again, as Nova's compute manager reboots again an
instance found in reboot_pending). A reboot the state does not allow is recorded as a failed
action, as Nova answers 409; one that arrives while another task runs waits for it.
"""

from __future__ import annotations

from kubenova import k8s, status
from kubenova.domain import pending
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import writer
from kubenova.kubevirt import builder
from kubenova.kubevirt.client import VirtualMachines
from kubenova.resources.server import Server
from kubenova.resources.states import TaskState
from kubenova.status import operations, reboots
from kubenova.status.observation import REBOOT_TASKS


async def step(rt: Runtime, server: Server) -> Server | None:
    """Carry out a pending reboot request. Caller holds the Server's lock."""
    if server.status.task_state in REBOOT_TASKS:
        return await _go_on(rt, server)  # begun (maybe before a restart)
    if not pending.reboot_pending(server) or operations.reboot_waits(server):
        return server
    vmi = rt.view.vmi(writer.ref_of(server))
    running = (
        vmi.metadata.uid if vmi is not None and builder.owned_by(vmi.metadata, server.server_id) else None
    )

    def decide(s: Server) -> status.Transition | None:
        return operations.begin_reboot(s, running) or operations.reject_reboot(s)

    updated = await writer.apply(rt, server, decide)
    if updated is not None and updated.status.task_state in REBOOT_TASKS:
        return await _go_on(rt, updated)
    return updated


async def _go_on(rt: Runtime, server: Server) -> Server | None:
    task, current = server.status.task_state, server.status.task
    if task is TaskState.REBOOT_PENDING:
        refusal = await _soft_reboot(rt, server, current.instance_uid if current else None)
        updated = await writer.apply(rt, server, lambda s: reboots.soft_reboot_sent(s, refusal))
        if updated is None or updated.status.task is None or not updated.status.task.replaced_instance_uid:
            return updated
        server = updated  # the hard fallback: replace the instance
    elif task is TaskState.REBOOT_PENDING_HARD:
        if current is not None and current.replaced_instance_uid:
            await _delete_instance(rt, server, current.replaced_instance_uid)
        return await writer.apply(rt, server, reboots.hard_reboot_started)
    replaced = server.status.task.replaced_instance_uid if server.status.task else None
    if replaced:
        await _delete_instance(rt, server, replaced)
    return server


async def _soft_reboot(rt: Runtime, server: Server, uid: str | None) -> str | None:
    """Ask KubeVirt for a guest restart of the VMI ``uid``: ``None`` if accepted, else why not."""
    vmi = rt.view.vmi(writer.ref_of(server))
    if uid is None or vmi is None or vmi.metadata.uid != uid:
        return "the instance is not running"
    name, namespace = server.status.vm_name or server.metadata.name, server.metadata.namespace or ""
    try:
        return await VirtualMachines(rt.client).instance_action(namespace, name, "softreboot")
    except k8s.Unavailable as error:
        # virt-api answers a guest it cannot reach with 500; Nova's libvirt driver, too, takes
        # any failure of the soft reboot as the cue for a hard one.
        return str(error) or type(error).__name__


async def _delete_instance(rt: Runtime, server: Server, uid: str) -> None:
    """Delete the VMI ``uid`` once (a reconcile soon after must not send it again)."""
    vmi = rt.view.vmi(writer.ref_of(server))
    if vmi is None or vmi.metadata.uid != uid or vmi.metadata.deletion_timestamp:
        return  # already replaced or going
    name, namespace = server.status.vm_name or server.metadata.name, server.metadata.namespace or ""
    await rt.view.delete_once(
        uid, lambda: VirtualMachines(rt.client).delete_instance(namespace, name, uid=uid)
    )
