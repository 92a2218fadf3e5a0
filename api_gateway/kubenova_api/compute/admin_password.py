"""``changePassword``: the password goes into the Secret the server's VM reads guest passwords from
(``<vm>-admin-password``, only for VMs built from an image with ``hw_qemu_guest_agent=yes``), and
``spec.adminPassword.requestId`` asks the operator to see it through (task updating_password,
ended by the VMI's ``AccessCredentialsSynchronized`` condition).

Nova's checks first (policy, lock, ACTIVE and idle: 409); a server without the Secret cannot have
its password set: 409 "QEMU guest agent is not enabled" (Nova's libvirt driver's answer for an
image without the agent). The user is the image's ``os_admin_user`` (else root/Administrator).
Nova's API call waits for the compute host (an RPC call), so does this one: up to
``ANSWER_WAIT_SECONDS`` for the operator to finish the request (read from the Server watch cache):
202 on Success; a guest agent that could not set it is Nova's 501 "Unable to set password on
instance" (the libvirt driver's answer for an unresponsive agent). Past the wait: 202, and the
outcome shows in the action record (``os-instance-actions``).
"""

from __future__ import annotations

import asyncio

from kubenova.domain import actions, admin_password
from kubenova_api import errors
from kubenova_api.compute import guards
from kubenova_api.compute.access import ServerAccess
from kubenova_api.compute.server_actions import write_intent
from kubenova_api.context import RequestContext
from kubenova_api.store import Store

ROW = actions.SERVER_ACTIONS["changePassword"]
ANSWER_WAIT_SECONDS = 30.0
"""How long the answer waits for the operator (Nova's RPC call waits up to 60 s)."""
POLL_SECONDS = 0.1


async def change_password(store: Store, ctx: RequestContext, found: ServerAccess, password: str) -> None:
    server = found.server
    guards.check(ROW, ctx, server)  # refuse from the cache before the Secret changes
    image = store.images.find(server.status.image_id or "") if server.status.image_id else None
    user = admin_password.admin_user(image.spec.properties if image is not None else {})
    if not await store.guest_credentials.set_password(server, user, password):
        raise errors.ConflictError(admin_password.AGENT_NOT_ENABLED)
    request = {"adminPassword": {"requestId": ctx.request_id}}
    await write_intent(store, ctx, server, ROW, lambda _: request)
    await _answer(store, server.server_id, ctx.request_id)


async def _answer(store: Store, server_id: str, request_id: str) -> None:
    """Wait for the operator's outcome of ``request_id``; raise Nova's error for a failure."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ANSWER_WAIT_SECONDS
    while loop.time() < deadline:
        current = store.servers.find(server_id)
        if current is None:
            return
        if current.status.handled_admin_password == request_id:
            outcome = next(
                (
                    a
                    for a in reversed(current.status.actions)
                    if a.request_id == request_id and a.action == ROW.name
                ),
                None,
            )
            if outcome is not None and outcome.result == "Error":
                if admin_password.AGENT_NOT_ENABLED in (outcome.message or ""):
                    raise errors.ConflictError(admin_password.AGENT_NOT_ENABLED)
                if (outcome.message or "").startswith("Cannot '"):  # the state changed meanwhile
                    raise errors.ConflictError(outcome.message or "")
                raise errors.UnsupportedError(admin_password.NOT_IMPLEMENTED)
            return
        await asyncio.sleep(POLL_SECONDS)
