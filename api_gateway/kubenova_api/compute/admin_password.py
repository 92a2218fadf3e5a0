"""``changePassword``: the password goes into the Secret the server's VM reads guest passwords from
(``<vm>-admin-password``, only for VMs built from an image with ``hw_qemu_guest_agent=yes``), and
``spec.adminPassword.requestId`` asks the operator to see it through (task updating_password,
ended by the VMI's ``AccessCredentialsSynchronized`` condition).

Nova's checks first (policy, lock, ACTIVE and idle: 409); a server without the Secret cannot have
its password set: 409 "QEMU guest agent is not enabled" (Nova's libvirt driver's answer for an
image without the agent). The user is the image's ``os_admin_user`` (else root/Administrator).
Unlike Nova, whose API call waits for the compute host, the answer is 202 at once: a failure of the
guest agent shows in the action record (``os-instance-actions``), not as a 501.
"""

from __future__ import annotations

from kubenova.domain import actions, admin_password
from kubenova_api import errors
from kubenova_api.compute import guards
from kubenova_api.compute.access import ServerAccess
from kubenova_api.compute.server_actions import write_intent
from kubenova_api.context import RequestContext
from kubenova_api.store import Store

ROW = actions.SERVER_ACTIONS["changePassword"]


async def change_password(store: Store, ctx: RequestContext, found: ServerAccess, password: str) -> None:
    server = found.server
    guards.check(ROW, ctx, server)  # refuse from the cache before the Secret changes
    image = store.images.find(server.status.image_id or "") if server.status.image_id else None
    user = admin_password.admin_user(image.spec.properties if image is not None else {})
    if not await store.guest_credentials.set_password(server, user, password):
        raise errors.ConflictError(admin_password.AGENT_NOT_ENABLED)
    request = {"adminPassword": {"requestId": ctx.request_id}}
    await write_intent(store, ctx, server, ROW, lambda _: request)
