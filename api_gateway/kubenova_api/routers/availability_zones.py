"""``/os-availability-zone``: the zones servers can be booted into (anyone) and, in detail, which
hosts and services make them up (admin).

A compute Node's zone is the zone of the aggregate that puts it in one, else the default zone
(``Settings.default_availability_zone``, "nova"): ``compute.zones``, the rule the operator's
scheduler and its Node labels use, so a zone listed here is one a server can land in.
Clients send no microversion for these calls; they read the same at every version.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from kubenova_api import policy
from kubenova_api.compute import zones
from kubenova_api.deps import Context, SettingsDep, StoreDep, strict_query_from_2102
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.views import availability_zones as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/os-availability-zone")
_P = "os_compute_api:os-availability-zone:"


@router.get("", dependencies=[Depends(strict_query_from_2102())])
async def list_zones(*, ctx: Context, store: StoreDep, settings: SettingsDep) -> JSONResponse:
    policy.authorize(ctx, _P + "list")
    return JSONResponse(views.summary(zones.placed(store, settings.default_availability_zone)))


@router.get("/detail", dependencies=[Depends(strict_query_from_2102())])
async def list_zones_detail(*, ctx: Context, store: StoreDep, settings: SettingsDep) -> JSONResponse:
    policy.authorize(ctx, _P + "detail")
    return JSONResponse(views.detail(zones.placed(store, settings.default_availability_zone)))
