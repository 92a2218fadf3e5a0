"""ServerGroups: ``status.members``, the ids of the Servers naming the group in
``spec.schedulerHints.group`` that are not being deleted (``kubenova.domain.server_groups``), so
``kubectl get servergroup -o yaml`` shows what ``openstack server group show`` shows.

Derived, never an input: the scheduler and the gateway read the Servers themselves. Written when
it differs from what the view shows, on every event of a member Server (created, deleting, gone)
and of the group; each write is conditional on the group's resourceVersion and rebuilt from the
view on a conflict, so two members' events racing cannot leave an older list behind. After a
restart the first listing's events recompute it.
"""

from __future__ import annotations

from typing import Any

import kopf

from kubenova import k8s
from kubenova.domain import server_groups
from kubenova.handlers import runtime
from kubenova.handlers.runtime import Runtime
from kubenova.resources.base import GROUP, VERSION
from kubenova.resources.server import Server
from kubenova.resources.server_group import ServerGroup

_WRITTEN = "server_group_status"
"""Overlay key of our own status writes (by group uid)."""


@kopf.on.event(GROUP, VERSION, "servergroups")
async def group_changed(type: str | None, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    rt = runtime.of(memo)
    uid = body.metadata.uid or ""
    if type == "DELETED":
        rt.view.forget(_WRITTEN, uid)
        return
    await sync(rt, ServerGroup.model_validate(dict(body)))


@kopf.on.event(GROUP, VERSION, "servers")
async def member_changed(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    group_id = server_groups.group_of(Server.model_validate(dict(body)))
    if group_id is None:
        return
    rt = runtime.of(memo)
    group = rt.view.server_group(group_id)
    if group is not None and group.metadata.namespace == body.metadata.namespace:
        await sync(rt, group)


async def sync(rt: Runtime, seen: ServerGroup) -> None:
    """Write ``status.members`` if the group does not show the members the view has now."""
    group: ServerGroup | None = rt.view.fresh(_WRITTEN, seen.group_id, seen)
    if group is None or group.status.members == _members(rt, group):
        return

    def build(raw: dict[str, Any]) -> dict[str, Any] | None:
        members = _members(rt, group)
        shown = (raw.get("status") or {}).get("members") or []
        return None if shown == members else {"status": {"members": members}}

    meta = group.metadata
    current: dict[str, Any] = {
        "metadata": {"uid": meta.uid, "resourceVersion": meta.resource_version},
        "status": {"members": group.status.members},
    }
    try:
        result = await rt.client.modify(
            k8s.SERVER_GROUPS, meta.name, build, meta.namespace, current=current, subresource="status"
        )
    except k8s.NotFound:
        return
    if result is not current:
        rt.view.remember(_WRITTEN, seen.group_id, ServerGroup.model_validate(result))


def _members(rt: Runtime, group: ServerGroup) -> list[str]:
    return server_groups.member_ids(group, rt.view.servers())
