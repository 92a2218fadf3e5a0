"""``/network``: Neutron discovery and read-only ``/v2.0`` collections."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kubenova_api import errors
from kubenova_api.deps import Context, SettingsDep, Urls
from kubenova_api.network import views
from kubenova_api.urls import NETWORK

router = APIRouter(prefix=f"/{NETWORK}")
V2 = "/v2.0"
EMPTY_COLLECTIONS = (
    "subnets",
    "ports",
    "routers",
    "floatingips",
    "subnetpools",
    "trunks",
    "availability_zones",
)


@router.get("")
@router.get("/")
async def versions(urls: Urls) -> JSONResponse:
    return JSONResponse(views.versions(urls))


def _filter(items: list[dict[str, Any]], request: Request) -> list[dict[str, Any]]:
    """Neutron's equality filters on any attribute (``?name=private&router:external=False``)."""
    result = []
    for item in items:
        keep = True
        for key, value in request.query_params.multi_items():
            if key in ("fields", "limit", "marker", "sort_key", "sort_dir") or key not in item:
                continue
            actual = item[key]
            if isinstance(actual, bool):
                keep = keep and str(actual).lower() == value.lower()
            else:
                keep = keep and str(actual) == value
        if keep:
            result.append(item)
    return result


@router.get(f"{V2}/networks")
async def list_networks(request: Request, ctx: Context, settings: SettingsDep) -> JSONResponse:
    return JSONResponse({"networks": _filter([views.network(settings.network_name)], request)})


@router.get(f"{V2}/networks/{{network_id}}")
async def show_network(network_id: str, ctx: Context, settings: SettingsDep) -> JSONResponse:
    net = views.network(settings.network_name)
    if network_id != net["id"]:
        raise errors.NotFoundError(f"Network {network_id} could not be found.", kind="Network")
    return JSONResponse({"network": net})


@router.get(f"{V2}/security-groups")
async def list_security_groups(request: Request, ctx: Context) -> JSONResponse:
    groups = [views.default_security_group(ctx.project_id)] if ctx.project_id else []
    return JSONResponse({"security_groups": _filter(groups, request)})


@router.get(f"{V2}/security-groups/{{group_id}}")
async def show_security_group(group_id: str, ctx: Context) -> JSONResponse:
    group = views.default_security_group(ctx.project_id or "")
    if group_id != group["id"]:
        raise errors.NotFoundError(f"Security group {group_id} does not exist", kind="SecurityGroup")
    return JSONResponse({"security_group": group})


@router.get(f"{V2}/quotas/{{project_id}}")
async def show_quota(project_id: str, ctx: Context) -> JSONResponse:
    return JSONResponse(views.quota())


@router.get(f"{V2}/extensions")
async def list_extensions(ctx: Context) -> JSONResponse:
    return JSONResponse({"extensions": []})


@router.get(f"{V2}/extensions/{{alias}}")
async def show_extension(alias: str, ctx: Context) -> JSONResponse:
    raise errors.NotFoundError(f"Extension with alias {alias} does not exist", kind="Extension")


def _empty(collection: str) -> Any:
    key = collection.replace("-", "_")

    async def list_empty(ctx: Context) -> JSONResponse:
        return JSONResponse({key: []})

    list_empty.__name__ = f"list_{key}"
    return list_empty


for _collection in EMPTY_COLLECTIONS:
    router.add_api_route(f"{V2}/{_collection}", _empty(_collection), methods=["GET"])
