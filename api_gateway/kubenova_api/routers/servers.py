"""``/servers``: list (index, detail), show, create, update, delete.

Also the helpers every ``/servers/{id}/...`` router shares: finding a server the caller may see
(``visible_server``; other projects' servers are 404 for non-admins, as in Nova), the
representation inputs (``refs``, ``view_options``), and Nova's lock and state checks
(``check_unlocked``, ``check_state``) with Nova's 409 wording.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from kubenova.resources import Server
from kubenova.resources.server import EmbeddedFlavor, InstanceAction
from kubenova_api import errors, pagination, policy
from kubenova_api.context import RequestContext
from kubenova_api.deps import Context, IdentityDep, JsonBody, SettingsDep, StoreDep, Urls, Version
from kubenova_api.identity.service import IdentityService
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import COMPUTE_PREFIX, servers_build, servers_listing
from kubenova_api.schemas import servers as schemas
from kubenova_api.schemas import servers_query
from kubenova_api.settings import Settings
from kubenova_api.store import Store
from kubenova_api.store import servers as nova
from kubenova_api.urls import PublicUrls
from kubenova_api.views import servers as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/servers")
_P = "os_compute_api:servers:"


# ----- shared by the /servers/{id}/... routers ----------------------------------------------------


def not_found(server_id: str) -> errors.NotFoundError:
    return errors.NotFoundError(f"Instance {server_id} could not be found.")


def visible_server(store: Store, ctx: RequestContext, server_id: str) -> Server:
    """The server with Nova id ``server_id`` if the caller's project owns it (admins: any)."""
    server = store.servers.find(server_id)
    if server is None or not (ctx.is_admin or server.metadata.namespace == ctx.namespace):
        raise not_found(server_id)
    return server


def project_of(identity: IdentityService, namespace: str | None) -> str:
    """The project id owning a namespace (the namespace itself for one made outside Keystone)."""
    directory = identity.directory()
    project = next((p for p in directory.config.projects if p.namespace == namespace), None)
    return project.id if project is not None else (namespace or "")


def _host_status(store: Store, server: Server) -> str:
    """Nova's host_status: the compute service (Node) state of the server's host."""
    host = server.status.host
    if not host:
        return ""
    try:
        node = store.nodes.get(host)
    except errors.UnavailableError:
        return "UNKNOWN"  # the Node cache is not filled: a server view must not fail for it
    if node is None:
        return ""
    if node.forced_down:
        return "DOWN"
    if node.disabled:
        return "MAINTENANCE"
    return "UP" if node.is_up else "UNKNOWN"


def refs(store: Store, identity: IdentityService, server: Server) -> views.ServerRefs:
    """What the representation needs from other objects: project, flavor, image, host state.

    Before the operator embeds the flavor (``status.flavor``) the Flavor the spec names stands in,
    so a server that was just created already shows its flavor.
    """
    flavor: EmbeddedFlavor | None = server.status.flavor
    flavor_id = flavor.id if flavor is not None else None
    if flavor is None:
        current = store.flavors.crs.get(server.spec.flavor)
        if current is not None:
            spec = current.spec
            flavor_id = current.flavor_id
            flavor = EmbeddedFlavor(
                id=flavor_id,
                name=current.display_name,
                vcpus=spec.vcpus,
                ram=spec.ram,
                disk=spec.disk,
                ephemeral=spec.ephemeral,
                swap=spec.swap,
                extra_specs=dict(spec.extra_specs),
            )
    image = (
        store.images.find(server.status.image_id) if server.status.image_id else None
    ) or store.images.find_by_object_name(server.spec.image)
    image_id = server.status.image_id or (image.image_id if image is not None else None)
    return views.ServerRefs(
        project_id=project_of(identity, server.metadata.namespace),
        flavor_id=flavor_id,
        flavor=flavor,
        image_id=image_id,
        image_properties=dict(image.spec.properties) if image is not None else {},
        host_status=_host_status(store, server),
    )


def view_options(ctx: RequestContext, version: APIVersion, urls: PublicUrls) -> views.ViewOptions:
    return views.ViewOptions(
        version=version,
        urls=urls,
        is_admin=ctx.is_admin,
        show_extra_specs=version >= "2.47"
        and policy.allowed(ctx, "os_compute_api:os-flavor-extra-specs:index"),
        show_extended_attributes=policy.allowed(ctx, "os_compute_api:os-extended-server-attributes"),
        show_host_status=policy.allowed(ctx, _P + "show:host_status"),
    )


def check_unlocked(ctx: RequestContext, server: Server) -> None:
    """Nova's ``check_instance_lock``: a locked server refuses non-admins (409)."""
    if server.spec.locked and not ctx.is_admin:
        raise errors.ConflictError(f"Instance {server.server_id} is locked")


def check_state(
    server: Server,
    method: str,
    *,
    vm_states: Collection[str] | None,
    task_states: Collection[str | None] | None = (None,),
    must_have_launched: bool = True,
) -> None:
    """Nova's ``check_instance_state``: 409 "Cannot '<method>' instance <id> while it is in ..."."""

    def refuse(attribute: str, value: object) -> errors.ConflictError:
        return errors.ConflictError(
            f"Cannot '{method}' instance {server.server_id} while it is in {attribute} {value}"
        )

    vm, task = nova.vm_state(server), nova.task_state(server)
    if vm_states is not None and vm not in vm_states:
        raise refuse("vm_state", vm)
    if task_states is not None and task not in task_states:
        raise refuse("task_state", task)
    if must_have_launched and not server.status.launched_at:
        raise refuse("launched_at", None)


def new_action(ctx: RequestContext, action: str) -> InstanceAction:
    """An instance-action record for ``action`` started by this request."""
    return InstanceAction(
        action=action, request_id=ctx.request_id, user_id=ctx.user_id, start_time=nova.now()
    )


# ----- list -----------------------------------------------------------------------------------------


def _namespaces(
    ctx: RequestContext, identity: IdentityService, query: servers_query.ListQuery
) -> set[str] | None:
    """Where to look: the caller's project, or (``all_tenants``) every or one named project."""
    if not query.all_tenants:
        return {ctx.namespace} if ctx.namespace else set()
    if query.project_id is None:
        return None
    return {identity.directory().namespace_for(query.project_id) or query.project_id}


def _listed(
    request: Request,
    *,
    ctx: RequestContext,
    version: APIVersion,
    store: Store,
    identity: IdentityService,
    settings: Settings,
    urls: PublicUrls,
    detail: bool,
) -> tuple[list[Server], dict[str, views.ServerRefs], list[dict[str, str]]]:
    kind = "detail" if detail else "index"
    policy.authorize(ctx, _P + kind)
    query = servers_query.parse(
        request.query_params, version, all_filters=policy.allowed(ctx, _P + "allow_all_filters")
    )
    if query.all_tenants:
        policy.authorize(ctx, f"{_P}{kind}:get_all_tenants")
    resolved: dict[str, views.ServerRefs] = {}

    def lookup(server: Server) -> views.ServerRefs:
        if server.server_id not in resolved:
            resolved[server.server_id] = refs(store, identity, server)
        return resolved[server.server_id]

    candidates = [
        s
        for s in store.servers.in_namespaces(_namespaces(ctx, identity, query))
        if servers_listing.matches(s, query, lookup)
    ]
    ordered = servers_listing.ordered(candidates, query.sort, lookup)
    page = pagination.page_request(request.query_params, settings.max_limit)
    items = pagination.paginate(ordered, page, lambda s: s.server_id)
    path = ("servers", "detail") if detail else ("servers",)
    links = pagination.next_links(
        items, page, lambda s: s.server_id, base_url=urls.compute(*path), query=request.query_params
    )
    return items, {s.server_id: lookup(s) for s in items}, links


@router.get("")
async def list_servers(
    *,
    request: Request,
    ctx: Context,
    version: Version,
    store: StoreDep,
    identity: IdentityDep,
    settings: SettingsDep,
    urls: Urls,
) -> JSONResponse:
    items, _, links = _listed(
        request,
        ctx=ctx,
        version=version,
        store=store,
        identity=identity,
        settings=settings,
        urls=urls,
        detail=False,
    )
    return JSONResponse(views.collection([views.basic(s, urls) for s in items], links))


@router.get("/detail")
async def list_servers_detail(
    *,
    request: Request,
    ctx: Context,
    version: Version,
    store: StoreDep,
    identity: IdentityDep,
    settings: SettingsDep,
    urls: Urls,
) -> JSONResponse:
    items, resolved, links = _listed(
        request,
        ctx=ctx,
        version=version,
        store=store,
        identity=identity,
        settings=settings,
        urls=urls,
        detail=True,
    )
    options = view_options(ctx, version, urls)
    rendered = [views.detail(s, resolved[s.server_id], options) for s in items]
    return JSONResponse(views.collection(rendered, links))


# ----- one server -------------------------------------------------------------------------------


@router.get("/{server_id}")
async def show_server(
    *, server_id: str, ctx: Context, version: Version, store: StoreDep, identity: IdentityDep, urls: Urls
) -> JSONResponse:
    server = visible_server(store, ctx, server_id)
    found = refs(store, identity, server)
    policy.authorize(ctx, _P + "show", project_id=found.project_id)
    body = views.detail(server, found, view_options(ctx, version, urls), show_server_groups=True)
    return JSONResponse({"server": body})


@router.post("")
async def create_server(
    *, body: JsonBody, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep, urls: Urls
) -> JSONResponse:
    request = schemas.parse_create(body, version)
    policy.authorize(ctx, _P + "create", project_id=ctx.project_id)
    if ctx.namespace is None:
        raise errors.BadRequestError("Servers are created in a project: use a project-scoped token.")
    plan = servers_build.plan(request, ctx=ctx, store=store, settings=settings)
    created: list[Server] = []
    try:
        for item in plan.servers:
            created.append(
                await store.servers.create_server(
                    namespace=ctx.namespace,
                    generate_name=item.generate_name,
                    spec=item.spec,
                    annotations=item.annotations,
                )
            )
    except errors.GatewayError:
        # Nova creates all of a multi-create or nothing: undo the part that was written.
        for server in created:
            with contextlib.suppress(errors.GatewayError):
                await store.servers.delete_server(server)
        raise
    if plan.return_reservation_id:
        return JSONResponse({"reservation_id": plan.reservation_id}, status_code=202)
    first = created[0]
    answer = views.created(first, urls, admin_pass=plan.admin_pass, security_groups=plan.security_groups)
    return JSONResponse(
        answer, status_code=202, headers={"Location": urls.compute("servers", first.server_id)}
    )


@router.put("/{server_id}")
async def update_server(
    *,
    server_id: str,
    body: JsonBody,
    ctx: Context,
    version: Version,
    store: StoreDep,
    identity: IdentityDep,
    urls: Urls,
) -> JSONResponse:
    update = schemas.parse_update(body, version)
    server = visible_server(store, ctx, server_id)
    project_id = project_of(identity, server.metadata.namespace)
    policy.authorize(ctx, _P + "update", project_id=project_id)
    given = update.model_fields_set
    spec: dict[str, object] = {}
    if "name" in given and update.name is not None:
        spec["name"] = update.name
    if "description" in given:
        spec["description"] = update.description
    annotations: dict[str, str | None] = {}
    for field, key in (
        ("access_ipv4", nova.ACCESS_IPV4_ANNOTATION),
        ("access_ipv6", nova.ACCESS_IPV6_ANNOTATION),
        ("disk_config", nova.DISK_CONFIG_ANNOTATION),
        ("hostname", nova.HOSTNAME_ANNOTATION),
    ):
        if field in given:
            annotations[key] = getattr(update, field) or None
    if spec or annotations:
        patch: dict[str, object] = {"spec": spec, "metadata": {"annotations": annotations}}
        server = await store.servers.patch(server, patch, what=f"Instance {server_id}")
    rendered = views.detail(
        server,
        refs(store, identity, server),
        view_options(ctx, version, urls),
        show_server_groups=True,
        minimal=version < "2.75",
    )
    return JSONResponse({"server": rendered})


@router.delete("/{server_id}")
async def delete_server(*, server_id: str, ctx: Context, store: StoreDep, identity: IdentityDep) -> Response:
    server = visible_server(store, ctx, server_id)
    policy.authorize(ctx, _P + "delete", project_id=project_of(identity, server.metadata.namespace))
    check_unlocked(ctx, server)
    if not server.metadata.deletion_timestamp:
        action = new_action(ctx, "delete")
        server = await store.servers.modify(
            server,
            lambda s: {"metadata": {"annotations": nova.action_annotations(s, action, for_operator=True)}},
        )
        await store.servers.delete_server(server)
    return Response(status_code=204)
