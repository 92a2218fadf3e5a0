"""What a server's representation needs beyond the Server: project, flavor, image, host state,
and what the caller may see of it (``views.servers.ServerRefs`` / ``ViewOptions``)."""

from __future__ import annotations

from kubenova.domain import flavors, pending, server_groups
from kubenova.resources import Server
from kubenova.resources.server import EmbeddedFlavor
from kubenova_api import errors, policy
from kubenova_api.compute.access import project_of
from kubenova_api.context import RequestContext
from kubenova_api.identity.service import IdentityService
from kubenova_api.microversions import APIVersion
from kubenova_api.store import Store
from kubenova_api.urls import PublicUrls
from kubenova_api.views import servers as views

_P = "os_compute_api:servers:"


def host_status(store: Store, server: Server) -> str:
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
    """Project, flavor, image and host state of ``server``.

    Before the operator embeds the flavor (``status.flavor``) the Flavor the spec names stands in,
    embedded by the same rule, so a server that was just created already shows its flavor.
    """
    flavor: EmbeddedFlavor | None = server.status.flavor
    if flavor is None:
        current = store.flavors.crs.get(server.spec.flavor)
        flavor = flavors.embed(current) if current is not None else None
    rebuilding = pending.rebuild_pending(server)  # Nova shows the new image from the request on
    image = (
        store.images.find(server.status.image_id) if server.status.image_id and not rebuilding else None
    ) or store.images.find_by_object_name(server.spec.image)
    image_id = (None if rebuilding else server.status.image_id) or (
        image.image_id if image is not None else None
    )
    return views.ServerRefs(
        project_id=project_of(identity, server.metadata.namespace),
        flavor_id=flavor.id if flavor is not None else None,
        flavor=flavor,
        image_id=image_id,
        image_properties=dict(image.spec.properties) if image is not None else {},
        host_status=host_status(store, server),
        server_groups=_server_groups(store, server),
    )


def _server_groups(store: Store, server: Server) -> tuple[str, ...]:
    """The group the server names, while it exists in the server's project (Nova shows none
    once the group is deleted)."""
    group_id = server_groups.group_of(server)
    if group_id is None:
        return ()
    found = server_groups.find(store.server_groups.list(server.metadata.namespace), group_id, None)
    return (group_id,) if found is not None else ()


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
