"""``/os-hosts`` (admin, microversions 2.1-2.42; deprecated in Nova from 2.43, then 404): the
compute Nodes as Nova's hosts. Policies ``os_compute_api:os-hosts:{list,show,update,start,
shutdown,reboot}``. Rules in ``compute.hosts``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kubenova_api import errors, policy
from kubenova_api.compute import hosts as service
from kubenova_api.deps import Context, IdentityDep, JsonBody, SettingsDep, StoreDep, Version
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.hosts import HostUpdate
from kubenova_api.schemas.validation import parse_body
from kubenova_api.views import hosts as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/os-hosts")
_P = "os_compute_api:os-hosts:"
LAST_VERSION = "2.42"


def _exists_at(version: APIVersion) -> None:
    if version > LAST_VERSION:
        raise errors.NotFoundError()


@router.get("")
async def list_hosts(
    *, request: Request, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep
) -> JSONResponse:
    _exists_at(version)
    policy.authorize(ctx, _P + "list")
    listed = service.listed(store, settings.default_availability_zone, request.query_params.get("zone"))
    return JSONResponse({"hosts": [views.entry(node, zone) for node, zone in listed]})


@router.get("/{host_name}")
async def show_host(
    *, host_name: str, ctx: Context, version: Version, store: StoreDep, identity: IdentityDep
) -> JSONResponse:
    _exists_at(version)
    policy.authorize(ctx, _P + "show")
    rows = service.resources(store, identity, host_name)
    return JSONResponse(
        {"host": [views.resource(host_name, r.project, r.cpu, r.memory_mb, r.disk_gb) for r in rows]}
    )


@router.put("/{host_name}")
async def update_host(
    *, host_name: str, body: JsonBody, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    _exists_at(version)
    policy.authorize(ctx, _P + "update")
    parse_body(HostUpdate, body)
    service.not_supported(store, host_name)
    raise AssertionError("unreachable")


async def _power(host_name: str, rule: str, ctx: Context, version: Version, store: StoreDep) -> JSONResponse:
    _exists_at(version)
    policy.authorize(ctx, _P + rule)
    service.not_supported(store, host_name)
    raise AssertionError("unreachable")


@router.get("/{host_name}/startup")
async def startup_host(*, host_name: str, ctx: Context, version: Version, store: StoreDep) -> JSONResponse:
    return await _power(host_name, "start", ctx, version, store)


@router.get("/{host_name}/shutdown")
async def shutdown_host(*, host_name: str, ctx: Context, version: Version, store: StoreDep) -> JSONResponse:
    return await _power(host_name, "shutdown", ctx, version, store)


@router.get("/{host_name}/reboot")
async def reboot_host(*, host_name: str, ctx: Context, version: Version, store: StoreDep) -> JSONResponse:
    return await _power(host_name, "reboot", ctx, version, store)
