"""``/flavors/{id}/os-extra_specs``: read (reader or admin), write (admin)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from kubenova_api import errors, extra_specs, policy
from kubenova_api.compute.access import visible_flavor
from kubenova_api.deps import Context, JsonBody, StoreDep, Version, strict_query_from_2102
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.flavors import ExtraSpecsRequest
from kubenova_api.schemas.validation import parse_body

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/flavors/{{flavor_id}}/os-extra_specs")
_P = "os_compute_api:os-flavor-extra-specs:"


@router.get("", dependencies=[Depends(strict_query_from_2102())])
async def list_specs(*, flavor_id: str, ctx: Context, store: StoreDep) -> JSONResponse:
    policy.authorize(ctx, _P + "index")
    return JSONResponse({"extra_specs": dict(visible_flavor(store, ctx, flavor_id).spec.extra_specs)})


@router.post("")
async def create_specs(
    *, flavor_id: str, body: JsonBody, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    policy.authorize(ctx, _P + "create")
    specs = extra_specs.normalise(parse_body(ExtraSpecsRequest, body).extra_specs, version)
    flavor = store.flavors.get(flavor_id)
    await store.flavors.update_spec(flavor, {"extraSpecs": specs})
    return JSONResponse({"extra_specs": specs})


@router.get("/{key}", dependencies=[Depends(strict_query_from_2102())])
async def show_spec(*, flavor_id: str, key: str, ctx: Context, store: StoreDep) -> JSONResponse:
    policy.authorize(ctx, _P + "show")
    flavor = visible_flavor(store, ctx, flavor_id)
    if key not in flavor.spec.extra_specs:
        raise errors.NotFoundError(f"Flavor {flavor_id} has no extra specs with key {key}.")
    return JSONResponse({key: flavor.spec.extra_specs[key]})


@router.put("/{key}")
async def update_spec(
    *, flavor_id: str, key: str, body: JsonBody, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    policy.authorize(ctx, _P + "update")
    if not isinstance(body, dict) or len(body) != 1:
        raise errors.BadRequestError("Request body contains too many items")
    if key not in body:
        raise errors.BadRequestError("Request body and URI mismatch")
    specs = extra_specs.normalise(parse_body(ExtraSpecsRequest, {"extra_specs": body}).extra_specs, version)
    flavor = store.flavors.get(flavor_id)
    await store.flavors.update_spec(flavor, {"extraSpecs": specs})
    return JSONResponse(specs)


@router.delete("/{key}")
async def delete_spec(*, flavor_id: str, key: str, ctx: Context, store: StoreDep) -> Response:
    policy.authorize(ctx, _P + "delete")
    flavor = store.flavors.get(flavor_id)
    if key not in flavor.spec.extra_specs:
        raise errors.NotFoundError(f"Flavor {flavor_id} has no extra specs with key {key}.")
    await store.flavors.update_spec(flavor, {"extraSpecs": {key: None}})
    return Response(status_code=200)
