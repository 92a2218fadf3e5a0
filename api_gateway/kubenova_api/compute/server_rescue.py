"""``rescue`` and ``unrescue`` (Nova's ``compute/api.py`` and ``api/openstack/compute/rescue.py``).

rescue: the row's checks (policy ``os_compute_api:os-rescue``, lock, ACTIVE/SHUTOFF/ERROR and
idle), then the rescue image when one is named (``rescue_image_ref``: it exists, the caller may see
it and it is active, else Nova's 400 ``UnsupportedRescueImage``), then one conditional patch:
``spec.rescue`` ``{state: Rescued, requestId, image}`` (no image: the server's own) and the inbox
entry. The answer carries ``adminPass`` (the one given, else a generated one), as Nova's does with
``enable_instance_password`` on (its default); the guest does not receive it (no password
injection, as for rebuild). Nova's check that refuses a volume-backed server before 2.87 does not
apply: a kubenova root disk is the server's own disk (Nova's local root disk), not a Cinder volume.

unrescue: the row's checks (RESCUED), then ``spec.rescue`` ``{state: Unrescued, requestId}`` and
``spec.powerState: Running`` (Nova's unrescue leaves the server ACTIVE, even one rescued from
SHUTOFF) in one patch.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from kubenova.domain import actions
from kubenova.resources import Server
from kubenova.resources.image import Image
from kubenova.resources.server import DesiredPowerState
from kubenova.resources.server_rescue import RESCUED, UNRESCUED
from kubenova_api import errors
from kubenova_api.compute import access, guards
from kubenova_api.compute.server_actions import write_intent
from kubenova_api.context import RequestContext
from kubenova_api.schemas.server_rescue import Rescue
from kubenova_api.store import Store

RESCUE = actions.SERVER_ACTIONS["rescue"]
UNRESCUE = actions.SERVER_ACTIONS["unrescue"]
ADMIN_PASS_LENGTH = 12


def _unsupported(image_ref: str) -> errors.BadRequestError:
    """Nova's ``UnsupportedRescueImage``."""
    return errors.BadRequestError(f"Requested rescue image '{image_ref}' is not supported")


def _image(ctx: RequestContext, store: Store, image_ref: str) -> Image:
    found = store.images.find(image_ref)
    if found is None or not access.image_visible(ctx, found):
        raise _unsupported(image_ref)
    if (found.status.status or "active") != "active":
        raise _unsupported(image_ref)
    return found


async def rescue(store: Store, ctx: RequestContext, server: Server, body: Rescue) -> str:
    """Check and write the rescue; the admin password to answer with."""
    guards.check(RESCUE, ctx, server)
    image = _image(ctx, store, body.rescue_image_ref) if body.rescue_image_ref else None
    wanted: dict[str, Any] = {
        "state": RESCUED,
        "requestId": ctx.request_id,
        "image": image.metadata.name if image is not None else None,
    }
    await write_intent(store, ctx, server, RESCUE, lambda _: {"rescue": wanted})
    return body.admin_pass or "".join(
        secrets.choice(string.ascii_letters + string.digits) for _ in range(ADMIN_PASS_LENGTH)
    )


async def unrescue(store: Store, ctx: RequestContext, server: Server) -> None:
    """Check and write the unrescue."""
    wanted = {"state": UNRESCUED, "requestId": ctx.request_id, "image": None}
    spec = {"rescue": wanted, "powerState": DesiredPowerState.RUNNING.value}
    await write_intent(store, ctx, server, UNRESCUE, lambda _: spec)
