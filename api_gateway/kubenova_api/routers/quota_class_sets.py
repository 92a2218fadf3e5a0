"""``/os-quota-class-sets/{class}`` (admin): show and update a quota class. The ``default``
class is what a project without limits of its own gets (``/os-quota-sets/{p}/defaults`` and
every check); other classes are kept and shown but, as in Nova, apply to no project. Stored by
``store.quotas`` in the ``kubenova-quotas`` ConfigMap (the gateway keeps no state)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from kubenova_api import errors, policy
from kubenova_api.deps import Context, JsonBody, SettingsDep, StoreDep, Version, strict_query_from_2102
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.quota_class_sets import parse_update
from kubenova_api.views import quota_sets as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/os-quota-class-sets")
_P = "os_compute_api:os-quota-class-sets:"


@router.get("/{quota_class}", dependencies=[Depends(strict_query_from_2102())])
async def show_quota_class(
    *, quota_class: str, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep
) -> JSONResponse:
    policy.authorize(ctx, _P + "show")
    limits = store.quotas.class_limits(quota_class, settings.quotas)
    return JSONResponse(views.quota_class_set(quota_class, limits, version))


@router.put("/{quota_class}")
async def update_quota_class(
    *,
    quota_class: str,
    body: JsonBody,
    ctx: Context,
    version: Version,
    store: StoreDep,
    settings: SettingsDep,
) -> JSONResponse:
    policy.authorize(ctx, _P + "update")
    update = parse_update(body, version)
    if not 1 <= len(quota_class) <= 255:
        raise errors.BadRequestError("quota_class_name has a length of 1 to 255 characters.")
    limits = update.limits()
    await store.quotas.update_class(quota_class, limits)
    current = {**store.quotas.class_limits(quota_class, settings.quotas), **limits}
    return JSONResponse(views.quota_class_set(None, current, version))
