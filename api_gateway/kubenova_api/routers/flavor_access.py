"""Private flavor access: ``GET /flavors/{id}/os-flavor-access`` and the add/remove actions (admin)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from kubenova.resources import Flavor
from kubenova_api import errors, policy
from kubenova_api.deps import Context, JsonBody, StoreDep, Version, strict_query_from_2102
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.flavors import AddTenantAccess, RemoveTenantAccess
from kubenova_api.schemas.validation import parse_body
from kubenova_api.store import Store
from kubenova_api.views import flavors as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/flavors/{{flavor_id}}")
_P = "os_compute_api:os-flavor-access"


@router.get("/os-flavor-access", dependencies=[Depends(strict_query_from_2102())])
async def list_access(flavor_id: str, ctx: Context, store: StoreDep) -> JSONResponse:
    policy.authorize(ctx, _P)
    flavor = store.flavors.get(flavor_id)
    if flavor.spec.is_public:
        raise errors.NotFoundError("Access list not available for public flavors.")
    return JSONResponse(views.access_list(flavor))


async def _add(store: Store, flavor: Flavor, tenant: str, version: APIVersion) -> Flavor:
    if flavor.spec.is_public and version >= "2.7":
        raise errors.ConflictError("Can not add access to a public flavor.")
    if tenant in flavor.spec.projects:
        raise errors.ConflictError(
            f"Flavor access already exists for flavor {flavor.flavor_id} and project {tenant} combination."
        )
    return await store.flavors.update_spec(flavor, {"projects": [*flavor.spec.projects, tenant]})


async def _remove(store: Store, flavor: Flavor, tenant: str) -> Flavor:
    if tenant not in flavor.spec.projects:
        raise errors.NotFoundError(f"Flavor access not found for {flavor.flavor_id} / {tenant} combination.")
    return await store.flavors.update_spec(
        flavor, {"projects": [p for p in flavor.spec.projects if p != tenant]}
    )


@router.post("/action")
async def flavor_action(
    flavor_id: str, body: JsonBody, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    """Dispatch on the body's single key, as Nova's action routes do."""
    action = next(iter(body), None) if isinstance(body, dict) and len(body) == 1 else None
    if action == "addTenantAccess":
        policy.authorize(ctx, _P + ":add_tenant_access")
        tenant = parse_body(AddTenantAccess, body).add_tenant_access.tenant
        flavor = await _add(store, store.flavors.get(flavor_id), tenant, version)
    elif action == "removeTenantAccess":
        policy.authorize(ctx, _P + ":remove_tenant_access")
        tenant = parse_body(RemoveTenantAccess, body).remove_tenant_access.tenant
        flavor = await _remove(store, store.flavors.get(flavor_id), tenant)
    else:
        raise errors.BadRequestError(
            f"There is no such action: {action}" if action else "Malformed request body"
        )
    return JSONResponse(views.access_list(flavor))
