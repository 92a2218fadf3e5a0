"""``/images`` and ``/images/{id}/metadata``: Nova's image proxy API over the Image CRs.

Deprecated in Nova: ``/images`` answers 404 from microversion 2.36, ``/images/{id}/metadata``
from 2.39. No policy beyond authentication (Nova proxies to Glance with the caller's token);
Glance's visibility and ownership rules are ``compute.images``'s. Listing pages with
``limit``/``marker`` (``images_links``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from kubenova_api import errors, pagination
from kubenova_api.compute import images as service
from kubenova_api.deps import Context, JsonBody, SettingsDep, StoreDep, Urls, Version
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.server_metadata import parse_meta, parse_metadata
from kubenova_api.views import images as views
from kubenova_api.views import server_metadata as metadata_views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/images")


def _images_at(version: APIVersion) -> None:
    if version > service.PROXY_LAST_VERSION:
        raise errors.NotFoundError()


def _metadata_at(version: APIVersion) -> None:
    if version > service.METADATA_LAST_VERSION:
        raise errors.NotFoundError()


def _listing(
    request: Request, ctx: Context, store: StoreDep, settings: SettingsDep, urls: Urls, *, detailed: bool
) -> JSONResponse:
    page = pagination.page_request(request.query_params, settings.max_limit)
    items = pagination.paginate(service.listed(store, ctx, request.query_params), page, lambda i: i.image_id)
    path = ("images", "detail") if detailed else ("images",)
    links = pagination.next_links(
        items, page, lambda i: i.image_id, base_url=urls.compute(*path), query=request.query_params
    )
    render = views.detail if detailed else views.basic
    body: dict[str, object] = {"images": [render(image, urls) for image in items]}
    if links:
        body["images_links"] = links
    return JSONResponse(body)


@router.get("")
async def list_images(
    *, request: Request, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep, urls: Urls
) -> JSONResponse:
    _images_at(version)
    return _listing(request, ctx, store, settings, urls, detailed=False)


@router.get("/detail")
async def list_images_detail(
    *, request: Request, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep, urls: Urls
) -> JSONResponse:
    _images_at(version)
    return _listing(request, ctx, store, settings, urls, detailed=True)


@router.get("/{image_id}")
async def show_image(
    *, image_id: str, ctx: Context, version: Version, store: StoreDep, urls: Urls
) -> JSONResponse:
    _images_at(version)
    return JSONResponse({"image": views.detail(service.visible(store, ctx, image_id), urls)})


@router.delete("/{image_id}")
async def delete_image(*, image_id: str, ctx: Context, version: Version, store: StoreDep) -> Response:
    _images_at(version)
    await service.delete(store, ctx, image_id)
    return Response(status_code=204)


@router.get("/{image_id}/metadata")
async def list_metadata(*, image_id: str, ctx: Context, version: Version, store: StoreDep) -> JSONResponse:
    _metadata_at(version)
    image = service.visible(store, ctx, image_id)
    return JSONResponse(metadata_views.metadata(image.spec.properties))


@router.post("/{image_id}/metadata")
async def merge_metadata(
    *, image_id: str, body: JsonBody, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep
) -> JSONResponse:
    _metadata_at(version)
    items = parse_metadata(body)
    merged = await service.write_properties(store, settings, ctx, image_id, lambda old: {**old, **items})
    return JSONResponse(metadata_views.metadata(merged))


@router.put("/{image_id}/metadata")
async def replace_metadata(
    *, image_id: str, body: JsonBody, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep
) -> JSONResponse:
    _metadata_at(version)
    items = parse_metadata(body)
    await service.write_properties(store, settings, ctx, image_id, lambda _: dict(items))
    return JSONResponse(metadata_views.metadata(items))


@router.get("/{image_id}/metadata/{key}")
async def show_metadata_item(
    *, image_id: str, key: str, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    _metadata_at(version)
    properties = service.visible(store, ctx, image_id).spec.properties
    if key not in properties:
        raise errors.NotFoundError()
    return JSONResponse(metadata_views.meta(key, properties[key]))


@router.put("/{image_id}/metadata/{key}")
async def set_metadata_item(
    *,
    image_id: str,
    key: str,
    body: JsonBody,
    ctx: Context,
    version: Version,
    store: StoreDep,
    settings: SettingsDep,
) -> JSONResponse:
    _metadata_at(version)
    value = parse_meta(body, key)
    await service.write_properties(store, settings, ctx, image_id, lambda old: {**old, key: value})
    return JSONResponse(metadata_views.meta(key, value))


@router.delete("/{image_id}/metadata/{key}")
async def delete_metadata_item(
    *, image_id: str, key: str, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep
) -> Response:
    _metadata_at(version)
    await service.write_properties(store, settings, ctx, image_id, service.without(key))
    return Response(status_code=204)
