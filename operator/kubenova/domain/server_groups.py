"""Server groups: which servers are members of a group, and the group a server names.

A server joins a group at create by naming it in ``spec.schedulerHints.group`` (Nova's ``group``
hint); it leaves when it is deleted. So the members of a group are the Servers of its namespace
that name it and are not being deleted, which the gateway shows (``members``) and counts
(``server_group_members`` quota) and the operator hands the scheduler (whose hosts they are on).
"""

from __future__ import annotations

from collections.abc import Iterable

from kubenova.domain.names import CREATED_ANNOTATION
from kubenova.resources.base import ObjectMeta
from kubenova.resources.server import Server
from kubenova.resources.server_group import ServerGroup


def group_of(server: Server) -> str | None:
    """The id of the group ``server`` asked to join, if any."""
    hints = server.spec.scheduler_hints
    return hints.group if hints is not None and hints.group else None


def not_found_message(group_id: str) -> str:
    """Nova's ``InstanceGroupNotFound`` text."""
    return f"Instance group {group_id} could not be found."


def is_member(server: Server, group: ServerGroup) -> bool:
    """``server`` names ``group`` (same project) and is not being deleted."""
    return (
        group_of(server) == group.group_id
        and server.metadata.namespace == group.metadata.namespace
        and not server.metadata.deletion_timestamp
    )


def members(group: ServerGroup, servers: Iterable[Server]) -> list[Server]:
    """The group's member servers, oldest first (Nova lists members in the order they joined)."""
    found = [server for server in servers if is_member(server, group)]
    return sorted(found, key=lambda s: creation_order(s.metadata))


def member_ids(group: ServerGroup, servers: Iterable[Server]) -> list[str]:
    return [server.server_id for server in members(group, servers)]


def find(groups: Iterable[ServerGroup], group_id: str, namespace: str | None) -> ServerGroup | None:
    """The group ``group_id`` of the project whose namespace is ``namespace`` (``None``: any)."""
    for group in groups:
        if group.group_id == group_id and (namespace is None or group.metadata.namespace == namespace):
            return group
    return None


def creation_order(meta: ObjectMeta) -> tuple[str, str]:
    """Sort key by creation: the gateway's microsecond ``created`` annotation, else the
    (whole-second) creationTimestamp as the start of its second; then the name."""
    created = meta.annotations.get(CREATED_ANNOTATION) or meta.creation_timestamp or ""
    if created.endswith("Z") and "." not in created:
        created = created[:-1] + ".000000Z"
    return created, meta.name
