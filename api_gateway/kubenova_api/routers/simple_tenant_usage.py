"""``/os-simple-tenant-usage`` (index: every project, admins; ``/{tenant_id}``: one project, its
readers): server hours in a window (``start``/``end``, ``detailed=1``), from live Servers and the
deleted servers' records (``compute.tenant_usage``). From 2.40 paged (``limit``/``marker``, with
``tenant_usages_links``/``tenant_usage_links``)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kubenova.resources import Server
from kubenova_api import pagination, policy
from kubenova_api.compute import tenant_usage as service
from kubenova_api.compute.access import project_of
from kubenova_api.deps import Context, IdentityDep, SettingsDep, StoreDep, Urls, Version
from kubenova_api.identity.service import IdentityService
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.store import Store
from kubenova_api.views import tenant_usage as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/os-simple-tenant-usage")
_P = "os_compute_api:os-simple-tenant-usage:"


def _servers(
    store: Store, identity: IdentityService, namespaces: set[str] | None
) -> list[tuple[Server, str]]:
    every = store.servers.in_namespaces(namespaces) + store.server_records.deleted_servers(namespaces)
    return [(s, project_of(identity, s.metadata.namespace)) for s in every]


@router.get("")
async def index(
    *,
    request: Request,
    ctx: Context,
    version: Version,
    store: StoreDep,
    identity: IdentityDep,
    settings: SettingsDep,
    urls: Urls,
) -> JSONResponse:
    policy.authorize(ctx, _P + "list")
    now = datetime.now(UTC)
    span = service.window(request.query_params, now=now)
    paged = version >= "2.40"
    page = (
        pagination.page_request(request.query_params, settings.max_limit)
        if paged
        else pagination.PageRequest(settings.max_limit, None)
    )
    tenants, usages = service.summarise(_servers(store, identity, None), span, now=now, page=page)
    body: dict[str, object] = {
        "tenant_usages": [views.tenant_usage(t, detailed=span.detailed) for t in tenants]
    }
    if paged:
        links = pagination.next_links(
            usages,
            page,
            lambda u: u.instance_id,
            base_url=urls.compute("os-simple-tenant-usage"),
            query=request.query_params,
        )
        if links:
            body["tenant_usages_links"] = links
    return JSONResponse(body)


@router.get("/{tenant_id}")
async def show(
    *,
    tenant_id: str,
    request: Request,
    ctx: Context,
    version: Version,
    store: StoreDep,
    identity: IdentityDep,
    settings: SettingsDep,
    urls: Urls,
) -> JSONResponse:
    policy.authorize(ctx, _P + "show", project_id=tenant_id)
    now = datetime.now(UTC)
    span = service.window(request.query_params, now=now)
    paged = version >= "2.40"
    page = (
        pagination.page_request(request.query_params, settings.max_limit)
        if paged
        else pagination.PageRequest(settings.max_limit, None)
    )
    namespace = identity.directory().namespace_for(tenant_id) or tenant_id
    tenants, usages = service.summarise(_servers(store, identity, {namespace}), span, now=now, page=page)
    usage = views.tenant_usage(tenants[0], detailed=True) if tenants else {}
    body: dict[str, object] = {"tenant_usage": usage}
    if paged:
        links = pagination.next_links(
            usages,
            page,
            lambda u: u.instance_id,
            base_url=urls.compute("os-simple-tenant-usage", tenant_id),
            query=request.query_params,
        )
        if links:
            body["tenant_usage_links"] = links
    return JSONResponse(body)
