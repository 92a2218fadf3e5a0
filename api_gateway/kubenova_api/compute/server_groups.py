"""``/os-server-groups`` decisions and the ``group`` hint of a server create (Nova's
``api/openstack/compute/server_groups.py`` and the group part of ``compute/api.py``).

A group belongs to the project whose namespace holds it. Its members are the servers naming it in
their ``group`` hint (``kubenova.domain.server_groups``): a create with the hint joins it, a
delete leaves it. Quotas: ``server_groups`` per project, ``server_group_members`` per group
(counting, as Nova does, the members the requesting user owns).
"""

from __future__ import annotations

from kubenova.domain import names, server_groups
from kubenova.resources import ServerGroup
from kubenova.resources.server_group import GroupPolicy, ServerGroupRules, ServerGroupSpec
from kubenova_api import errors, policy
from kubenova_api.compute import inbox
from kubenova_api.compute.access import project_of
from kubenova_api.context import RequestContext
from kubenova_api.identity.service import IdentityService
from kubenova_api.settings import Settings
from kubenova_api.store import Store

_P = "os_compute_api:os-server-groups:"


def not_found(group_id: str) -> errors.NotFoundError:
    return errors.NotFoundError(server_groups.not_found_message(group_id))


def members(store: Store, group: ServerGroup) -> list[str]:
    """Ids of the group's servers that are not deleted, in the order they joined."""
    return server_groups.member_ids(group, store.servers.list(group.metadata.namespace))


def in_use(store: Store, namespace: str | None) -> int:
    """The project's server groups (the ``server_groups`` quota usage)."""
    return len(store.server_groups.list(namespace)) if namespace else 0


def listed(store: Store, ctx: RequestContext, *, all_projects: bool) -> list[ServerGroup]:
    """The caller's project's groups; every project's for an admin asking ``all_projects``."""
    policy.authorize(ctx, _P + "index", project_id=ctx.project_id)
    if all_projects and ctx.is_admin:
        policy.authorize(ctx, _P + "index:all_projects", project_id=ctx.project_id)
        found = store.server_groups.list()
    else:
        found = store.server_groups.list(ctx.namespace) if ctx.namespace else []
    return sorted(found, key=lambda g: server_groups.creation_order(g.metadata))


def authorized(
    store: Store, identity: IdentityService, ctx: RequestContext, group_id: str, action: str
) -> ServerGroup:
    """The group ``group_id`` (404 if none), after ``action``'s rule allowed the caller on its
    project (Nova looks the group up first, then checks the policy against its project: 403)."""
    group = store.server_groups.find(group_id)
    if group is None:
        raise not_found(group_id)
    policy.authorize(ctx, _P + action, project_id=project_of(identity, group.metadata.namespace))
    return group


async def create(
    store: Store,
    ctx: RequestContext,
    settings: Settings,
    *,
    name: str,
    policy_name: str,
    max_server_per_host: int | None,
    rules_given: bool,
) -> ServerGroup:
    policy.authorize(ctx, _P + "create", project_id=ctx.project_id)
    if ctx.namespace is None:
        raise errors.BadRequestError("Server groups are created in a project: use a project-scoped token.")
    limit = store.quotas.limits(ctx.project_id or "", settings.quotas)["server_groups"]
    if 0 <= limit <= in_use(store, ctx.namespace):
        raise errors.QuotaExceededError("Quota exceeded, too many server groups.")
    if policy_name != GroupPolicy.ANTI_AFFINITY and rules_given:
        raise errors.BadRequestError("Only anti-affinity policy supports rules.")
    spec = ServerGroupSpec(
        name=name,
        policy=GroupPolicy(policy_name),
        rules=ServerGroupRules(max_server_per_host=max_server_per_host),
        user_id=ctx.user_id,
    )
    created = {names.CREATED_ANNOTATION: inbox.precise_now()}  # list order: Nova's by creation
    return await store.server_groups.create_in(ctx.namespace, spec, created)


async def delete(store: Store, identity: IdentityService, ctx: RequestContext, group_id: str) -> None:
    """Delete the group; its members keep running, outside any group (as in Nova)."""
    await store.server_groups.remove(authorized(store, identity, ctx, group_id, "delete"))


def find_hinted(store: Store, ctx: RequestContext, group_id: str | None) -> ServerGroup | None:
    """The group a create's ``group`` hint names: one of the caller's project (400 otherwise)."""
    if group_id is None:
        return None
    group = server_groups.find(store.server_groups.list(), group_id, ctx.namespace)
    if group is None:
        raise errors.BadRequestError(server_groups.not_found_message(group_id))
    return group


def check_members_quota(
    store: Store, ctx: RequestContext, settings: Settings, group: ServerGroup | None, count: int
) -> None:
    """Room for ``count`` more of the user's servers in ``group`` under ``server_group_members``."""
    if group is None:
        return
    limit = store.quotas.limits(ctx.project_id or "", settings.quotas)["server_group_members"]
    if limit < 0:
        return
    mine = [
        s
        for s in store.servers.list(group.metadata.namespace)
        if server_groups.is_member(s, group) and s.spec.user_id == ctx.user_id
    ]
    if len(mine) + count > limit:
        raise errors.QuotaExceededError("Quota exceeded, too many servers in group")
