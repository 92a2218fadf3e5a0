"""Compute version discovery: ``/compute/`` (list), ``/compute/v2.1`` and the legacy
``/compute/v2`` (each its document; the middleware routes ``/v2`` here), others (300)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kubenova_api import errors
from kubenova_api.deps import LegacyV2, Urls
from kubenova_api.urls import COMPUTE, COMPUTE_VERSION
from kubenova_api.views import versions as views

router = APIRouter()
fallback_router = APIRouter()


@router.get(f"/{COMPUTE}")
@router.get(f"/{COMPUTE}/")
async def list_versions(urls: Urls) -> JSONResponse:
    return JSONResponse(views.versions(urls))


@router.get(f"/{COMPUTE}/{COMPUTE_VERSION}")
@router.get(f"/{COMPUTE}/{COMPUTE_VERSION}/")
async def show_version(urls: Urls, legacy: LegacyV2) -> JSONResponse:
    return JSONResponse(views.version(urls, legacy=legacy))


_ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


@fallback_router.api_route(f"/{COMPUTE}/{{path:path}}", methods=_ANY_METHOD)
async def other_roots(path: str, request: Request, urls: Urls) -> JSONResponse:
    """Unknown compute paths: inside v2.1 a 404, elsewhere Nova's 300 Multiple Choices."""
    if path == COMPUTE_VERSION or path.startswith(COMPUTE_VERSION + "/") or request.method != "GET":
        raise errors.NotFoundError()
    return JSONResponse(views.choices(urls, path), status_code=300)
