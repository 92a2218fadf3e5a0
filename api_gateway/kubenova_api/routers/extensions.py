"""``/extensions`` (list and show by alias): Nova's ``extension_info.py``; policy
``os_compute_api:extensions`` (anyone with a token)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from kubenova_api import errors, policy
from kubenova_api.deps import Context, strict_query_from_2102
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.views import extensions as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/extensions")
_POLICY = "os_compute_api:extensions"


@router.get("", dependencies=[Depends(strict_query_from_2102())])
async def list_extensions(*, ctx: Context) -> JSONResponse:
    policy.authorize(ctx, _POLICY)
    return JSONResponse(views.index())


@router.get("/{alias}", dependencies=[Depends(strict_query_from_2102())])
async def show_extension(*, alias: str, ctx: Context) -> JSONResponse:
    policy.authorize(ctx, _POLICY)
    found = views.find(alias)
    if found is None:
        raise errors.NotFoundError()
    return JSONResponse({"extension": found})
