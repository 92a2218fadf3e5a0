"""Deleting a Server (the operator's finalizer keeps it until this is done): task ``deleting`` →
VM deleted (KubeVirt deletes its VMI first; a user-data Secret follows the Server by garbage
collection) → the VM and VMI gone from the view → the deleted server's record written
(``ServerRecord``, named by the server id: after a restart its create answers 409, i.e. done) →
capacity released → the finalizer goes and the object with it.

Level-triggered: each call does the next step; the watch events of the VM and VMI going away
bring the Server back here. Nothing needs the VM to exist, so a Server that never got one
(ERROR, NoValidHost, a missing flavor) goes at once.
"""

from __future__ import annotations

import logging

from kubenova import k8s
from kubenova.domain import names, server_records
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import writer
from kubenova.kubevirt import builder
from kubenova.kubevirt.client import VirtualMachines
from kubenova.resources.server import Server
from kubenova.status import operations

LOG = logging.getLogger(__name__)


async def tear_down(rt: Runtime, server: Server) -> None:
    """The next step of deleting ``server`` (which has a deletionTimestamp)."""
    if names.SERVER_FINALIZER not in server.metadata.finalizers:
        return  # not ours to hold (or released already)
    if server.status.vm_state is not None:
        updated = await writer.apply(rt, server, operations.begin_delete)
        if updated is None:
            return
        server = updated
    ref, vms = writer.ref_of(server), VirtualMachines(rt.client)
    vm, vmi = rt.view.vm(ref), rt.view.vmi(ref)
    name = server.status.vm_name or ref.name
    if vm is not None and builder.owned_by(vm.vm.metadata, server.server_id):
        if not vm.vm.metadata.deletion_timestamp:
            await rt.view.delete_once(vm.vm.metadata.uid or "", lambda: vms.delete(ref.namespace, name))
        return
    if vmi is not None and builder.owned_by(vmi.metadata, server.server_id):
        uid = vmi.metadata.uid or ""
        if not vmi.metadata.deletion_timestamp:
            await rt.view.delete_once(uid, lambda: vms.delete_instance(ref.namespace, name, uid=uid))
        return
    await write_record(rt, server)
    rt.ledger.release(server.server_id)
    if await writer.set_finalizer(rt, server, present=False) is not None:
        rt.events.post(server, reason="Deleted", message="VirtualMachine gone; capacity released")


async def write_record(rt: Runtime, server: Server) -> None:
    """Create the deleted server's record (once: a 409 means an earlier attempt wrote it)."""
    name = server_records.record_name(server.server_id)
    if name in rt.recorded:
        return
    body = server_records.record_of(server, terminated_at=writer.now())
    try:
        await rt.client.create(k8s.SERVER_RECORDS, body, server.metadata.namespace)
    except k8s.AlreadyExists:
        pass  # written before a restart: done
    except k8s.Forbidden as refused:
        if not _namespace_terminating(refused):
            raise
        # The project's namespace is being deleted: its records would go with it, and a record
        # that cannot be written must not hold the Server (nor the namespace) forever.
        LOG.info("Server %s: no record, its namespace is being deleted", writer.ref_of(server))
    rt.recorded.add(name)


def _namespace_terminating(refused: k8s.Forbidden) -> bool:
    causes = ((refused.body or {}).get("details") or {}).get("causes") or []
    return (
        any(c.get("reason") == "NamespaceTerminating" for c in causes)
        or "being terminated" in refused.message
    )
