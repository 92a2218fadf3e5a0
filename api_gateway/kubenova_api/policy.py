"""Who may do what: one table from Nova policy names to rules, following Nova's current defaults.

Rules (Nova ``nova/policies/base.py`` vocabulary):

- ``ADMIN``: the admin role.
- ``PROJECT_READER_OR_ADMIN`` / ``PROJECT_MEMBER_OR_ADMIN`` / ``PROJECT_MANAGER_OR_ADMIN``: that
  role (roles imply each other: admin → manager → member → reader) *in the target's project*,
  or admin. Readers may therefore only read.
- ``ADMIN_OR_USER``: admin, or the caller is the target's user (keypairs belong to users; Nova
  lets any role manage its own keypairs).
- ``ANY``: any authenticated caller.

Routers call ``authorize(ctx, "os_compute_api:...", project_id=..., user_id=...)``; a refusal
raises ``PolicyNotAuthorizedError`` (403 "Policy doesn't allow X to be performed.").
"""

from __future__ import annotations

from enum import Enum

from kubenova_api import errors
from kubenova_api.context import RequestContext


class Rule(Enum):
    ANY = "@"
    ADMIN = "rule:context_is_admin"
    PROJECT_READER_OR_ADMIN = "rule:project_reader_or_admin"
    PROJECT_MEMBER_OR_ADMIN = "rule:project_member_or_admin"
    PROJECT_MANAGER_OR_ADMIN = "rule:project_manager_or_admin"
    ADMIN_OR_USER = "(rule:context_is_admin) or user_id:%(user_id)s"


_PROJECT_ROLE = {
    Rule.PROJECT_READER_OR_ADMIN: "reader",
    Rule.PROJECT_MEMBER_OR_ADMIN: "member",
    Rule.PROJECT_MANAGER_OR_ADMIN: "manager",
}

_C = "os_compute_api:"

RULES: dict[str, Rule] = {
    # flavors: reading is open; managing them is for admins
    f"{_C}os-flavor-manage:create": Rule.ADMIN,
    f"{_C}os-flavor-manage:update": Rule.ADMIN,
    f"{_C}os-flavor-manage:delete": Rule.ADMIN,
    f"{_C}os-flavor-extra-specs:index": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}os-flavor-extra-specs:show": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}os-flavor-extra-specs:create": Rule.ADMIN,
    f"{_C}os-flavor-extra-specs:update": Rule.ADMIN,
    f"{_C}os-flavor-extra-specs:delete": Rule.ADMIN,
    f"{_C}os-flavor-access": Rule.ADMIN,
    f"{_C}os-flavor-access:add_tenant_access": Rule.ADMIN,
    f"{_C}os-flavor-access:remove_tenant_access": Rule.ADMIN,
    # keypairs belong to users
    f"{_C}os-keypairs:index": Rule.ADMIN_OR_USER,
    f"{_C}os-keypairs:show": Rule.ADMIN_OR_USER,
    f"{_C}os-keypairs:create": Rule.ADMIN_OR_USER,
    f"{_C}os-keypairs:delete": Rule.ADMIN_OR_USER,
    # servers belong to projects
    f"{_C}servers:index": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}servers:detail": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}servers:show": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}servers:index:get_all_tenants": Rule.ADMIN,
    f"{_C}servers:detail:get_all_tenants": Rule.ADMIN,
    f"{_C}servers:allow_all_filters": Rule.ADMIN,
    f"{_C}servers:show:host_status": Rule.ADMIN,
    "compute:server:topology:index": Rule.PROJECT_READER_OR_ADMIN,
    "compute:server:topology:host:index": Rule.ADMIN,
    f"{_C}os-extended-server-attributes": Rule.ADMIN,
    f"{_C}servers:create": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}servers:create:forced_host": Rule.ADMIN,
    f"{_C}servers:create:requested_destination": Rule.ADMIN,
    f"{_C}servers:update": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}servers:delete": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}servers:start": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}servers:stop": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}servers:reboot": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}servers:rebuild": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}servers:resize": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}servers:confirm_resize": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}servers:revert_resize": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}servers:create_image": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}servers:trigger_crash_dump": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-lock-server:lock": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-lock-server:unlock": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-lock-server:unlock:unlock_override": Rule.ADMIN,
    f"{_C}os-pause-server:pause": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-pause-server:unpause": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-suspend-server:suspend": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-suspend-server:resume": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-shelve:shelve": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-shelve:unshelve": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-shelve:shelve_offload": Rule.ADMIN,
    f"{_C}os-shelve:unshelve_to_host": Rule.ADMIN,
    f"{_C}os-rescue": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-unrescue": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-admin-password": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-console-output": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-server-password:show": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}os-server-password:clear": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-migrate-server:migrate": Rule.PROJECT_MANAGER_OR_ADMIN,
    f"{_C}os-migrate-server:migrate_live": Rule.PROJECT_MANAGER_OR_ADMIN,
    f"{_C}os-migrate-server:migrate:host": Rule.ADMIN,
    f"{_C}os-migrate-server:migrate_live:host": Rule.ADMIN,
    f"{_C}os-admin-actions:reset_state": Rule.ADMIN,
    f"{_C}os-server-diagnostics": Rule.ADMIN,
    f"{_C}os-evacuate": Rule.ADMIN,
    f"{_C}os-server-external-events:create": Rule.ADMIN,
    # server actions kubenova checks but does not carry out yet (Nova's defaults)
    f"{_C}os-create-backup": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-deferred-delete:force": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-deferred-delete:restore": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-security-groups:add": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-security-groups:remove": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-multinic:add": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-multinic:remove": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-floating-ips:add": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-floating-ips:remove": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-remote-consoles": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-admin-actions:inject_network_info": Rule.ADMIN,
    f"{_C}server-metadata:index": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}server-metadata:show": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}server-metadata:create": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}server-metadata:update": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}server-metadata:update_all": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}server-metadata:delete": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-server-tags:index": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}os-server-tags:show": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}os-server-tags:update": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-server-tags:update_all": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-server-tags:delete": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-server-tags:delete_all": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}ips:index": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}ips:show": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}os-instance-actions:list": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}os-instance-actions:show": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}os-instance-actions:events": Rule.ADMIN,
    f"{_C}os-instance-actions:events:details": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}servers:migrations:index": Rule.PROJECT_MANAGER_OR_ADMIN,
    f"{_C}servers:migrations:show": Rule.PROJECT_MANAGER_OR_ADMIN,
    f"{_C}servers:migrations:force_complete": Rule.PROJECT_MANAGER_OR_ADMIN,
    f"{_C}servers:migrations:delete": Rule.PROJECT_MANAGER_OR_ADMIN,
    f"{_C}os-server-groups:index": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}os-server-groups:index:all_projects": Rule.ADMIN,
    f"{_C}os-server-groups:show": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}os-server-groups:create": Rule.PROJECT_MEMBER_OR_ADMIN,
    f"{_C}os-server-groups:delete": Rule.PROJECT_MEMBER_OR_ADMIN,
    # cloud-wide, admin-only APIs
    f"{_C}os-aggregates:index": Rule.ADMIN,
    f"{_C}os-aggregates:show": Rule.ADMIN,
    f"{_C}os-aggregates:create": Rule.ADMIN,
    f"{_C}os-aggregates:update": Rule.ADMIN,
    f"{_C}os-aggregates:delete": Rule.ADMIN,
    f"{_C}os-aggregates:add_host": Rule.ADMIN,
    f"{_C}os-aggregates:remove_host": Rule.ADMIN,
    f"{_C}os-aggregates:set_metadata": Rule.ADMIN,
    f"{_C}os-aggregates:images": Rule.ADMIN,
    f"{_C}os-hypervisors:list": Rule.ADMIN,
    f"{_C}os-hypervisors:list-detail": Rule.ADMIN,
    f"{_C}os-hypervisors:show": Rule.ADMIN,
    f"{_C}os-hypervisors:statistics": Rule.ADMIN,
    f"{_C}os-hypervisors:uptime": Rule.ADMIN,
    f"{_C}os-hypervisors:search": Rule.ADMIN,
    f"{_C}os-hypervisors:servers": Rule.ADMIN,
    f"{_C}os-services:list": Rule.ADMIN,
    f"{_C}os-services:update": Rule.ADMIN,
    f"{_C}os-services:delete": Rule.ADMIN,
    f"{_C}os-migrations:index": Rule.PROJECT_MANAGER_OR_ADMIN,
    f"{_C}os-migrations:index:all_projects": Rule.ADMIN,
    f"{_C}os-availability-zone:list": Rule.ANY,
    f"{_C}os-availability-zone:detail": Rule.ADMIN,
    f"{_C}os-quota-sets:show": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}os-quota-sets:detail": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}os-quota-sets:defaults": Rule.ANY,
    f"{_C}os-quota-sets:update": Rule.ADMIN,
    f"{_C}os-quota-sets:delete": Rule.ADMIN,
    f"{_C}os-quota-class-sets:show": Rule.ADMIN,
    f"{_C}os-quota-class-sets:update": Rule.ADMIN,
    f"{_C}limits": Rule.ANY,
    f"{_C}extensions": Rule.ANY,
    f"{_C}os-hosts:list": Rule.ADMIN,
    f"{_C}os-hosts:show": Rule.ADMIN,
    f"{_C}os-hosts:update": Rule.ADMIN,
    f"{_C}os-hosts:reboot": Rule.ADMIN,
    f"{_C}os-hosts:shutdown": Rule.ADMIN,
    f"{_C}os-hosts:start": Rule.ADMIN,
    f"{_C}limits:other_project": Rule.ADMIN,
    f"{_C}os-simple-tenant-usage:show": Rule.PROJECT_READER_OR_ADMIN,
    f"{_C}os-simple-tenant-usage:list": Rule.ADMIN,
    # identity (Keystone's defaults, reduced to what kubenova serves)
    "identity:list_domains": Rule.ADMIN,
    "identity:list_projects": Rule.ADMIN,
    "identity:list_users": Rule.ADMIN,
}


def allowed(
    ctx: RequestContext, action: str, *, project_id: str | None = None, user_id: str | None = None
) -> bool:
    """Whether ``ctx`` may perform ``action`` on a target owned by ``project_id``/``user_id``.

    A missing target project means "the caller's own project" (Nova's default target).
    """
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"no policy rule for {action!r}")  # a programming error, never a 403
    if rule is Rule.ANY or ctx.is_admin:
        return True
    if rule is Rule.ADMIN:
        return False
    if rule is Rule.ADMIN_OR_USER:
        return user_id is None or user_id == ctx.user_id
    target_project = project_id if project_id is not None else ctx.project_id
    return (
        ctx.has_role(_PROJECT_ROLE[rule]) and target_project is not None and target_project == ctx.project_id
    )


def authorize(
    ctx: RequestContext, action: str, *, project_id: str | None = None, user_id: str | None = None
) -> None:
    """Raise ``PolicyNotAuthorizedError`` unless ``allowed``."""
    if not allowed(ctx, action, project_id=project_id, user_id=user_id):
        raise errors.PolicyNotAuthorizedError(action)
