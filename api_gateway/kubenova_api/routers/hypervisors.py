"""``/os-hypervisors`` (admin): the compute Nodes as hypervisors, with capacity and usage.

Routes per microversion, as Nova has them:

- ``GET /os-hypervisors`` and ``/detail``: all; paging (``limit``/``marker``) from 2.33; from 2.53
  ``hypervisor_hostname_pattern`` (substring, no paging, 404 when nothing matches) and
  ``with_servers`` replace the older ``/{pattern}/search`` and ``/{pattern}/servers`` (≤ 2.52);
- ``GET /os-hypervisors/{id}``: an integer id below 2.53 (anything else is "not found"), the Node
  uid from 2.53 (anything but a UUID is a 400, which OSC's name lookup relies on);
- from 2.53 the list, detail and show routes refuse query parameters they do not know (400);
- ``GET /os-hypervisors/statistics`` and ``/{id}/uptime`` exist up to 2.87. Kubernetes reports no
  host uptime, so ``uptime`` answers 501, which OSC's ``hypervisor show`` expects from drivers
  without one.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from kubenova.domain.hosts import ComputeHost
from kubenova_api import errors, pagination, params, policy
from kubenova_api.deps import Context, SettingsDep, StoreDep, Urls, Version, strict_query
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.store import Store
from kubenova_api.urls import PublicUrls
from kubenova_api.usage import HostUsage, by_host
from kubenova_api.views import hypervisors as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/os-hypervisors")
_P = "os_compute_api:os-hypervisors:"
# Nova's index_query_v253: nothing else is allowed from 2.53.
LIST_QUERY = ("limit", "marker", "hypervisor_hostname_pattern", "with_servers")


def _usage(store: Store) -> dict[str, HostUsage]:
    return by_host(store.servers.list(), store.flavors.crs.get)


def _not_found(hypervisor_id: str) -> errors.NotFoundError:
    return errors.NotFoundError(f"Hypervisor with ID '{hypervisor_id}' could not be found.")


def _no_match(pattern: str) -> errors.NotFoundError:
    return errors.NotFoundError(f"No hypervisor matching '{pattern}' could be found.")


def _find(store: Store, hypervisor_id: str, version: APIVersion) -> ComputeHost:
    """The Node a path id names (400/404 per microversion, as Nova validates it)."""
    if version >= "2.53":
        try:
            uuid.UUID(hypervisor_id)
        except ValueError:
            raise errors.BadRequestError(f"Invalid uuid {hypervisor_id}") from None
        node = store.nodes.by_uid(hypervisor_id)
    else:
        try:
            node = store.nodes.by_legacy_id(int(hypervisor_id))
        except ValueError:
            raise _not_found(hypervisor_id) from None
    if node is None:
        raise _not_found(hypervisor_id)
    return node


def _matching(store: Store, pattern: str) -> list[ComputeHost]:
    """Nova's ``hypervisor_hostname LIKE %pattern%``."""
    found = [node for node in store.nodes.all() if pattern.lower() in node.name.lower()]
    if not found:
        raise _no_match(pattern)
    return found


def _with_servers(request: Request, version: APIVersion) -> bool:
    raw = request.query_params.get("with_servers")
    if raw is None or version < "2.53":
        return False
    try:
        return params.parse_bool(raw, name="with_servers")
    except errors.BadRequestError:
        raise errors.BadRequestError(
            f"Invalid input for query parameters with_servers. Value: {raw}. "
            f"'{raw}' is not a valid boolean value"
        ) from None


def _listing(
    request: Request,
    store: Store,
    version: APIVersion,
    *,
    detail: bool,
    max_limit: int,
    urls: PublicUrls,
) -> JSONResponse:
    query = request.query_params
    pattern = query.get("hypervisor_hostname_pattern") if version >= "2.53" else None
    with_servers = _with_servers(request, version)
    links: list[dict[str, str]] = []

    def key(node: ComputeHost) -> str:
        return str(views.hypervisor_id(node, version))

    if pattern is not None:
        if "limit" in query or "marker" in query:
            raise errors.BadRequestError(
                "Paging over hypervisors with the hypervisor_hostname_pattern query parameter is "
                "not supported."
            )
        nodes = _matching(store, pattern)
    elif version >= "2.33":
        page = pagination.page_request(query, max_limit)
        nodes = pagination.paginate(store.nodes.all(), page, key)
        path = ("os-hypervisors", "detail") if detail else ("os-hypervisors",)
        links = pagination.next_links(nodes, page, key, base_url=urls.compute(*path), query=query)
    else:
        nodes = store.nodes.all()
    used = _usage(store)
    items = [
        views.hypervisor(n, used.get(n.name, HostUsage()), version, detail=detail, with_servers=with_servers)
        for n in nodes
    ]
    body: dict[str, object] = {"hypervisors": items}
    if links:
        body["hypervisors_links"] = links
    return JSONResponse(body)


@router.get(
    "",
    dependencies=[Depends(strict_query(*LIST_QUERY, since="2.53"))],
)
async def list_hypervisors(
    *, request: Request, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep, urls: Urls
) -> JSONResponse:
    policy.authorize(ctx, _P + "list")
    return _listing(request, store, version, detail=False, max_limit=settings.max_limit, urls=urls)


@router.get(
    "/detail",
    dependencies=[Depends(strict_query(*LIST_QUERY, since="2.53"))],
)
async def list_hypervisors_detail(
    *, request: Request, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep, urls: Urls
) -> JSONResponse:
    policy.authorize(ctx, _P + "list-detail")
    return _listing(request, store, version, detail=True, max_limit=settings.max_limit, urls=urls)


@router.get("/statistics")
async def hypervisor_statistics(*, ctx: Context, version: Version, store: StoreDep) -> JSONResponse:
    if version >= "2.88":
        raise errors.NotFoundError()
    policy.authorize(ctx, _P + "statistics")
    used = _usage(store)
    return JSONResponse(views.statistics((n, used.get(n.name, HostUsage())) for n in store.nodes.all()))


@router.get("/{hypervisor_id}", dependencies=[Depends(strict_query("with_servers", since="2.53"))])
async def show_hypervisor(
    *, hypervisor_id: str, request: Request, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    policy.authorize(ctx, _P + "show")
    with_servers = _with_servers(request, version)
    node = _find(store, hypervisor_id, version)
    used = _usage(store).get(node.name, HostUsage())
    return JSONResponse(
        {"hypervisor": views.hypervisor(node, used, version, detail=True, with_servers=with_servers)}
    )


@router.get("/{hypervisor_id}/uptime")
async def hypervisor_uptime(
    *, hypervisor_id: str, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    if version >= "2.88":
        raise errors.NotFoundError()
    policy.authorize(ctx, _P + "uptime")
    _find(store, hypervisor_id, version)
    raise errors.UnsupportedError("The requested functionality is not supported.")


@router.get("/{pattern}/search")
async def search_hypervisors(
    *, pattern: str, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    if version >= "2.53":
        raise errors.NotFoundError()
    policy.authorize(ctx, _P + "search")
    used = _usage(store)
    return JSONResponse(
        {
            "hypervisors": [
                views.hypervisor(n, used.get(n.name, HostUsage()), version, detail=False)
                for n in _matching(store, pattern)
            ]
        }
    )


@router.get("/{pattern}/servers")
async def hypervisor_servers(
    *, pattern: str, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    if version >= "2.53":
        raise errors.NotFoundError()
    policy.authorize(ctx, _P + "servers")
    used = _usage(store)
    return JSONResponse(
        {
            "hypervisors": [
                views.hypervisor(n, used.get(n.name, HostUsage()), version, detail=False, with_servers=True)
                for n in _matching(store, pattern)
            ]
        }
    )
