"""changePassword: a new ``spec.adminPassword.requestId`` (the password already in the Secret
``<vm>-admin-password``, which virt-launcher applies through the guest agent) → task
updating_password with the action record → ended by the VMI's ``AccessCredentialsSynchronized``
condition (``status.password_steps``). Nothing is written to the VirtualMachine: the VM was built
with the access credential (guest-agent images only). Each write is one status patch, so an
operator restarted at any point finds the task and waits for the condition again.
"""

from __future__ import annotations

from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import writer
from kubenova.resources.server import Server
from kubenova.resources.states import TaskState
from kubenova.status import password_steps


async def step(rt: Runtime, server: Server) -> Server | None:
    """Take up, refuse or finish a password change. Caller holds the Server's lock."""
    updated = await writer.apply(rt, server, password_steps.reject)
    if updated is None:
        return None
    updated = await writer.apply(rt, updated, password_steps.begin)
    if updated is None or updated.status.task_state is not TaskState.UPDATING_PASSWORD:
        return updated
    vmi = rt.view.vmi(writer.ref_of(updated))
    return await writer.apply(rt, updated, lambda s: password_steps.finish(s, vmi))
