"""``PUT /servers/{id}`` (name, description, from 2.104 the pinned zone, and the Nova attributes
kept in annotations) and ``DELETE /servers/{id}`` (refused by a lock; the delete request goes
to the inbox first; a soft delete when a reclaim interval is configured) and ``forceDelete``."""

from __future__ import annotations

from typing import Any

from kubenova.domain import actions, names, placement_request
from kubenova.resources import Server
from kubenova_api import errors
from kubenova_api.compute import guards, inbox
from kubenova_api.context import RequestContext
from kubenova_api.schemas.servers import ServerUpdate
from kubenova_api.store import Store
from kubenova_api.views import server_fields

_UPDATE_ANNOTATIONS = (
    ("access_ipv4", names.ACCESS_IPV4_ANNOTATION),
    ("access_ipv6", names.ACCESS_IPV6_ANNOTATION),
    ("disk_config", names.DISK_CONFIG_ANNOTATION),
    ("hostname", names.HOSTNAME_ANNOTATION),
)


def _pinned_zone(server: Server, requested: str | None) -> dict[str, object]:
    """2.104: the spec change that unpins (``None``) or re-pins the server's zone, as Nova allows
    it: re-pin only to the zone the server is in, and only while unpinned (409 otherwise). The
    pinned zone is ``spec.availabilityZone``; a host forced in Nova's ``zone:host`` form stays
    forced as ``spec.forcedHost``."""
    placement = placement_request.of_spec(server.spec)
    current = placement.zone
    if requested is None:
        if current is None:
            return {}
        unpinned: dict[str, object] = {"availabilityZone": None}
        if placement.host is not None and server.spec.forced_host is None:
            unpinned["forcedHost"] = placement.host
        return unpinned
    if current is not None:
        if requested != current:
            raise errors.ConflictError(
                "Cannot change pinned availability zone directly. Unpin first by setting "
                "pinned_availability_zone to null."
            )
        return {}
    instance_zone = server_fields.availability_zone(server)
    if requested != instance_zone:
        raise errors.ConflictError(
            f"Server can only be pinned to its current availability zone '{instance_zone}', but "
            f"'{requested}' was requested."
        )
    return {"availabilityZone": requested}


async def update(store: Store, server: Server, update: ServerUpdate) -> Server:
    """Write the fields ``update`` gives; the server as stored afterwards."""
    given = update.model_fields_set
    spec: dict[str, object] = {}
    if "name" in given and update.name is not None:
        spec["name"] = update.name.strip()  # Nova's normalize_name
    if "description" in given:
        spec["description"] = update.description
    if "pinned_availability_zone" in given:
        spec.update(_pinned_zone(server, update.pinned_availability_zone))
    annotations: dict[str, str | None] = {
        key: getattr(update, field) or None for field, key in _UPDATE_ANNOTATIONS if field in given
    }
    if not spec and not annotations:
        return server
    patch: dict[str, Any] = {"spec": spec, "metadata": {"annotations": annotations}}
    return await store.servers.patch(server, patch, what=f"Instance {server.server_id}")


async def delete(store: Store, ctx: RequestContext, server: Server, *, reclaim_interval: float = 0) -> None:
    """Nova's delete: a lock refuses non-admins; a server already being deleted is left alone.
    With a reclaim interval a launched server is soft-deleted instead (``spec.softDeleted``, the
    request recorded as ``delete``, as Nova records it); one that never launched, or has no host
    (SHELVED_OFFLOADED: Nova's local delete), goes at once."""
    keeps = server.status.launched_at and server.status.host
    if reclaim_interval > 0 and keeps and not server.metadata.deletion_timestamp:
        await soft_delete(store, ctx, server)
        return
    await _delete(store, ctx, server, actions.DELETE)


async def soft_delete(store: Store, ctx: RequestContext, server: Server) -> None:
    row = actions.SOFT_DELETE
    guards.check(row, ctx, server)
    if server.spec.soft_deleted:
        return
    request = inbox.new_request(ctx, row.name)

    def build(current: Server) -> dict[str, Any]:
        guards.check(row, ctx, current)
        return {"spec": {"softDeleted": True}, "metadata": {"annotations": inbox.appended(current, request)}}

    await store.servers.modify(server, build)


async def force_delete(store: Store, ctx: RequestContext, server: Server) -> None:
    """``forceDelete`` (os-deferred-delete): the delete at once, from any state with no task
    running; recorded as ``delete``, as Nova records it."""
    await _delete(store, ctx, server, actions.SERVER_ACTIONS["forceDelete"])


async def _delete(store: Store, ctx: RequestContext, server: Server, row: actions.ServerAction) -> None:
    guards.check(row, ctx, server)
    if server.metadata.deletion_timestamp:
        return
    request = inbox.new_request(ctx, actions.DELETE.name)

    def build(current: Server) -> dict[str, Any]:
        guards.check(row, ctx, current)
        return {"metadata": {"annotations": inbox.appended(current, request)}}

    server = await store.servers.modify(server, build)
    await store.servers.delete_server(server)
