"""``ServerGroup``: a Nova server group (namespaced: the namespace is the project).

Nova server group id = ``metadata.uid``; the display name is ``spec.name``. A group is written by
whoever creates it (the gateway's ``/os-server-groups`` or ``kubectl``) and never changed after:
Nova has no server group update. A server joins a group by naming it in
``spec.schedulerHints.group`` at create (the one truth, written once with the Server): the members
are the Servers of the namespace that name the group (``kubenova.domain.server_groups``), which
the scheduler and the gateway read themselves. ``status.members`` is the operator's derived copy
for kubectl users, never an input, so an operator restart loses nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import ConfigDict, Field

from kubenova.resources.base import CamelModel, CrdInfo, CustomResource, PrinterColumn


class GroupPolicy(StrEnum):
    """Nova's server group policies (the soft ones from 2.15)."""

    AFFINITY = "affinity"
    ANTI_AFFINITY = "anti-affinity"
    SOFT_AFFINITY = "soft-affinity"
    SOFT_ANTI_AFFINITY = "soft-anti-affinity"


class ServerGroupRules(CamelModel):
    """Rules of the policy (2.64); only anti-affinity has one."""

    max_server_per_host: int | None = Field(
        default=None,
        ge=1,
        description="anti-affinity only: how many members one host may run (default 1).",
    )


class ServerGroupSpec(CamelModel):
    """A Nova server group: a name and the placement policy its members follow."""

    model_config = ConfigDict(
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": "self.policy == 'anti-affinity' || !has(self.rules) "
                    "|| !has(self.rules.maxServerPerHost)",
                    "message": "Only anti-affinity policy supports rules.",
                },
                {"rule": "self == oldSelf", "message": "a server group cannot be changed"},
            ]
        }
    )

    name: str = Field(min_length=1, max_length=255, description="Nova display name of the group.")
    policy: GroupPolicy = Field(
        description="affinity (all on one host), anti-affinity (each on its own host, or up to "
        "rules.maxServerPerHost per host), soft-affinity / soft-anti-affinity (preferred, not enforced)."
    )
    rules: ServerGroupRules = Field(
        default_factory=ServerGroupRules,
        description="Policy rules: maxServerPerHost for anti-affinity.",
    )
    user_id: str | None = Field(default=None, description="Id of the user who created the group.")


class ServerGroupStatus(CamelModel):
    """Written only by the operator, derived from the Servers (never read as an input)."""

    members: list[str] = Field(
        default_factory=list,
        description="Ids of the Servers naming this group in spec.schedulerHints.group that are not being "
        "deleted, in the order they joined.",
    )


class ServerGroup(CustomResource):
    """A Nova server group (``openstack server group ...``)."""

    crd: ClassVar[CrdInfo] = CrdInfo(
        kind="ServerGroup",
        plural="servergroups",
        scope="Namespaced",
        short_names=("sg",),
        printer_columns=(
            PrinterColumn("ID", ".metadata.uid", description="Nova server group id"),
            PrinterColumn("DISPLAY NAME", ".spec.name"),
            PrinterColumn("POLICY", ".spec.policy"),
            PrinterColumn("MAX PER HOST", ".spec.rules.maxServerPerHost", "integer", priority=1),
            PrinterColumn("MEMBERS", ".status.members", priority=1),
            PrinterColumn("USER", ".spec.userId", priority=1),
            PrinterColumn("AGE", ".metadata.creationTimestamp", "date"),
        ),
    )

    spec: ServerGroupSpec
    status: ServerGroupStatus = Field(default_factory=ServerGroupStatus)

    @property
    def group_id(self) -> str:
        return self.metadata.uid or ""

    @property
    def max_server_per_host(self) -> int:
        """Members one host may run under anti-affinity (Nova's default 1)."""
        return self.spec.rules.max_server_per_host or 1
