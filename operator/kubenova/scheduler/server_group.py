"""The server group a request belongs to, as the group filters and weighers read it (the
``instance_group`` of Nova's ``RequestSpec``).

The caller names the group's policy and the ids of its other members; where those members run is
read from the host states of the same scheduling pass (``with_hosts``), which already count every
placement made so far, this process's own not yet persisted ones included. So two members placed
one after the other (the placement ledger decides one at a time) always see each other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # both import this module: the request carries a GroupSpec
    from kubenova.scheduler.host_state import HostState
    from kubenova.scheduler.request_spec import RequestSpec

AFFINITY = "affinity"
ANTI_AFFINITY = "anti-affinity"
SOFT_AFFINITY = "soft-affinity"
SOFT_ANTI_AFFINITY = "soft-anti-affinity"
POLICIES = (AFFINITY, ANTI_AFFINITY, SOFT_AFFINITY, SOFT_ANTI_AFFINITY)


@dataclass(frozen=True)
class GroupSpec:
    """One server group: its policy, ``max_server_per_host`` (anti-affinity), the ids of the
    other members, and the hosts those members run on (the caller's persisted ones, completed by
    ``with_hosts`` from the host states of the pass)."""

    group_id: str
    policy: str
    members: frozenset[str] = frozenset()
    max_server_per_host: int = 1
    hosts: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise ValueError(f"unknown server group policy {self.policy!r}")
        if self.max_server_per_host < 1:
            raise ValueError(f"max_server_per_host must be at least 1, got {self.max_server_per_host}")

    def members_on(self, host: HostState) -> frozenset[str]:
        """The members running on (or placed on) ``host``."""
        return self.members & host.instance_uids


def members_on(spec: RequestSpec, host: HostState, policy: str) -> int:
    """How many members of the request's group run on ``host``, if the group has ``policy``."""
    group = spec.group
    if group is None or group.policy != policy:
        return 0
    return len(group.members_on(host))


def with_hosts(spec: RequestSpec, hosts: Iterable[HostState]) -> RequestSpec:
    """``spec`` with its group's member hosts read from ``hosts`` (before filtering) added to
    those the caller named (members on hosts a move leaves out of ``hosts``)."""
    group = spec.group
    if group is None:
        return spec
    taken = group.hosts | frozenset(h.name for h in hosts if not group.members.isdisjoint(h.instance_uids))
    return dataclasses.replace(spec, group=dataclasses.replace(group, hosts=taken))
