"""``/servers/{id}/os-server-password``: GET (``os-server-password:show``) and DELETE
(``os-server-password:clear``, 204).

In Nova this is the password a guest encrypted with the keypair's public key and posted to the
metadata service (cloud-init's ``set-passwords``, cloudbase-init on Windows); DELETE clears it
from the instance's system metadata without touching the guest. kubenova has no metadata service
a guest could post to (KubeVirt gives the guest its user data through a cloud-init disk), so no
password is ever recorded: GET answers Nova's shape with an empty password, as Nova does for an
instance that posted none, and DELETE has nothing to clear. changePassword does not set it either
(it does not in Nova).
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from kubenova_api.compute import access
from kubenova_api.deps import Context, IdentityDep, StoreDep
from kubenova_api.routers import COMPUTE_PREFIX

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/servers/{{server_id}}/os-server-password")
_RULE = "os_compute_api:os-server-password:"


@router.get("")
async def show_password(
    *, server_id: str, ctx: Context, store: StoreDep, identity: IdentityDep
) -> JSONResponse:
    access.authorized_server(store, identity, ctx, server_id, _RULE + "show")
    return JSONResponse({"password": ""})


@router.delete("")
async def clear_password(*, server_id: str, ctx: Context, store: StoreDep, identity: IdentityDep) -> Response:
    access.authorized_server(store, identity, ctx, server_id, _RULE + "clear")
    return Response(status_code=204)
