"""``/os-simple-tenant-usage`` (index: every project, admins; ``/{tenant_id}``: one project, its
readers): server hours in a window (``start``/``end``, ``detailed=1``), from live Servers and the
deleted servers' records (``compute.tenant_usage``). From 2.40 paged (``limit``/``marker``, with
``tenant_usages_links``/``tenant_usage_links``)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from kubenova.resources import Server
from kubenova_api import pagination, policy
from kubenova_api.compute import tenant_usage as service
from kubenova_api.compute.access import project_of
from kubenova_api.deps import ListCall, ListDep
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


def _usage_body(
    call: ListCall, namespaces: set[str] | None, key: str, path: tuple[str, ...]
) -> tuple[list[views.TenantUsage], dict[str, object], bool]:
    """The tenants of ``namespaces`` (None: every project) in the query's window; from 2.40 the
    ``<key>_links`` of the page (``key``: ``tenant_usages`` or ``tenant_usage``); whether the
    query asked for the detailed view."""
    now = datetime.now(UTC)
    span = service.window(call.query, now=now)
    paged = call.version >= "2.40"
    page = (
        pagination.page_request(call.query, call.max_limit)
        if paged
        else pagination.PageRequest(call.max_limit, None)
    )
    servers = _servers(call.store, call.identity, namespaces)
    tenants, usages = service.summarise(servers, span, now=now, page=page)
    extra: dict[str, object] = {}
    if paged:
        links = pagination.next_links(
            usages,
            page,
            lambda u: u.instance_id,
            base_url=call.urls.compute("os-simple-tenant-usage", *path),
            query=call.query,
        )
        if links:
            extra[f"{key}_links"] = links
    return tenants, extra, span.detailed


@router.get("")
async def index(call: ListDep) -> JSONResponse:
    policy.authorize(call.ctx, _P + "list")
    tenants, links, detailed = _usage_body(call, None, "tenant_usages", ())
    return JSONResponse(
        {"tenant_usages": [views.tenant_usage(t, detailed=detailed) for t in tenants], **links}
    )


@router.get("/{tenant_id}")
async def show(tenant_id: str, call: ListDep) -> JSONResponse:
    policy.authorize(call.ctx, _P + "show", project_id=tenant_id)
    namespace = call.identity.directory().namespace_for(tenant_id) or tenant_id
    tenants, links, _ = _usage_body(call, {namespace}, "tenant_usage", (tenant_id,))
    usage = views.tenant_usage(tenants[0], detailed=True) if tenants else {}
    return JSONResponse({"tenant_usage": usage, **links})
