"""What a caller may see: servers of its project (admins: any), visible flavors and images.

Other projects' servers are 404 for non-admins, as in Nova. The policy check of a ``/servers/{id}``
route comes with the lookup (``authorized_server``), against the project owning the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubenova.resources import Flavor, Image, Server
from kubenova_api import errors, policy
from kubenova_api.context import RequestContext
from kubenova_api.identity.service import IdentityService
from kubenova_api.store import Store


def not_found(server_id: str) -> errors.NotFoundError:
    return errors.NotFoundError(f"Instance {server_id} could not be found.")


def visible_server(
    store: Store, ctx: RequestContext, server_id: str, *, read_deleted: bool = False
) -> Server:
    """The server with Nova id ``server_id`` if the caller's project owns it (admins: any);
    ``read_deleted`` (Nova's ``read_deleted='yes'``): a deleted server's record too."""
    server = store.servers.find(server_id)
    if server is None and read_deleted:
        server = store.server_records.deleted_server(server_id)
    if server is None or not (ctx.is_admin or server.metadata.namespace == ctx.namespace):
        raise not_found(server_id)
    return server


def project_of(identity: IdentityService, namespace: str | None) -> str:
    """The project id owning a namespace (the namespace itself for one made outside Keystone)."""
    directory = identity.directory()
    project = next((p for p in directory.config.projects if p.namespace == namespace), None)
    return project.id if project is not None else (namespace or "")


@dataclass(frozen=True)
class ServerAccess:
    """A server the caller may act on, with the project that owns it."""

    server: Server
    project_id: str


def authorized_server(
    store: Store,
    identity: IdentityService,
    ctx: RequestContext,
    server_id: str,
    rule: str | None,
    *,
    read_deleted: bool = False,
) -> ServerAccess:
    """The visible server ``server_id``, after ``rule`` allowed the caller on its project."""
    server = visible_server(store, ctx, server_id, read_deleted=read_deleted)
    project_id = project_of(identity, server.metadata.namespace)
    if rule is not None:
        policy.authorize(ctx, rule, project_id=project_id)
    return ServerAccess(server, project_id)


def flavor_visible(ctx: RequestContext, flavor: Flavor) -> bool:
    """Public flavors, private ones shared with the caller's project, and everything for admins."""
    return ctx.is_admin or flavor.spec.is_public or (ctx.project_id in flavor.spec.projects)


def visible_flavor(store: Store, ctx: RequestContext, flavor_id: str) -> Flavor:
    flavor = store.flavors.find(flavor_id)
    if flavor is None or not flavor_visible(ctx, flavor):
        raise errors.NotFoundError(f"Flavor {flavor_id} could not be found.")
    return flavor


def image_visible(ctx: RequestContext, image: Image) -> bool:
    """Public and community images for all; private/shared ones for their owner; all for admins."""
    return (
        ctx.is_admin or image.spec.visibility in ("public", "community") or image.spec.owner == ctx.project_id
    )
