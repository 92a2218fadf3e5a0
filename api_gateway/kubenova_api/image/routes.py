"""``/image``: Glance discovery, ``GET /v2/images`` (name, id=in:, visibility, limit/marker) and show."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kubenova.resources import Image
from kubenova_api import errors, pagination
from kubenova_api.compute.access import image_visible
from kubenova_api.deps import Context, SettingsDep, StoreDep, Urls
from kubenova_api.image import views
from kubenova_api.urls import IMAGE

router = APIRouter(prefix=f"/{IMAGE}")


@router.get("")
@router.get("/")
async def versions(urls: Urls) -> JSONResponse:
    return JSONResponse(views.versions(urls), status_code=300)


@router.get("/versions")
async def versions_list(urls: Urls) -> JSONResponse:
    return JSONResponse(views.versions(urls))


def _filters(query: Any) -> dict[str, Any]:
    ids = None
    raw_id = query.get("id")
    if raw_id is not None:
        ids = set(raw_id[3:].split(",")) if raw_id.startswith("in:") else {raw_id}
    return {
        "ids": ids,
        "name": query.get("name"),
        "visibility": query.get("visibility"),
        "status": query.get("status"),
    }


def _matches(img: Image, wanted: dict[str, Any]) -> bool:
    return (
        (wanted["ids"] is None or img.image_id in wanted["ids"])
        and (wanted["name"] is None or img.display_name == wanted["name"])
        and (wanted["visibility"] in (None, "all") or img.spec.visibility == wanted["visibility"])
        and (wanted["status"] is None or views.status_of(img) == wanted["status"])
    )


@router.get("/v2/images")
async def list_images(request: Request, ctx: Context, store: StoreDep, settings: SettingsDep) -> JSONResponse:
    wanted = _filters(request.query_params)
    images = [img for img in store.images.all() if image_visible(ctx, img) and _matches(img, wanted)]
    # Glance's default order: newest first.
    images.sort(key=lambda img: (img.metadata.creation_timestamp or "", img.image_id), reverse=True)
    page = pagination.page_request(request.query_params, settings.max_limit)
    items = pagination.paginate(images, page, lambda img: img.image_id)
    body: dict[str, Any] = {
        "images": [views.image(img) for img in items],
        "first": "/v2/images",
        "schema": "/v2/schemas/images",
    }
    if request.query_params.get("limit") is not None and items and len(items) == page.limit:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "marker"]
        body["next"] = "/v2/images?" + urlencode([*params, ("marker", items[-1].image_id)])
    return JSONResponse(body)


@router.get("/v2/images/{image_id}")
async def show_image(image_id: str, ctx: Context, store: StoreDep) -> JSONResponse:
    img = store.images.find(image_id)
    if img is None or not image_visible(ctx, img):
        raise errors.NotFoundError(f"No image found with ID {image_id}")
    return JSONResponse(views.image(img))
