"""ServerGroupAffinityFilter and ServerGroupAntiAffinityFilter: the hard server group policies
(Nova's ``affinity_filter.py``).

Affinity: once a member runs somewhere, only the hosts of the members pass (the first member may
go anywhere). Anti-affinity: a host passes while it runs fewer than ``max_server_per_host``
members (default 1). Requests without a group, or with another policy, pass everywhere.
"""

from __future__ import annotations

from kubenova.scheduler import server_group
from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec


class ServerGroupAffinityFilter(HostFilter):
    """Pass the hosts of the group's members (any host while no member is placed)."""

    def passes_all(self, spec: RequestSpec) -> bool:
        return spec.group is None or spec.group.policy != server_group.AFFINITY or not spec.group.hosts

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        group = spec.group
        if group is None or group.policy != server_group.AFFINITY or not group.hosts:
            return None
        if host.name in group.hosts:
            return None
        hosts = ", ".join(sorted(group.hosts))
        return f"runs no member of affinity server group {group.group_id} (members are on {hosts})"


class ServerGroupAntiAffinityFilter(HostFilter):
    """Pass hosts running fewer than ``max_server_per_host`` members of the group."""

    def passes_all(self, spec: RequestSpec) -> bool:
        return spec.group is None or spec.group.policy != server_group.ANTI_AFFINITY

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        group = spec.group
        if group is None or group.policy != server_group.ANTI_AFFINITY:
            return None
        on_host = group.members_on(host)
        if len(on_host) < group.max_server_per_host:
            return None
        return (
            f"runs {len(on_host)} member(s) of anti-affinity server group {group.group_id} "
            f"(max_server_per_host {group.max_server_per_host})"
        )
