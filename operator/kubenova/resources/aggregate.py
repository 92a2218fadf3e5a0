"""``Aggregate``: a Nova host aggregate, optionally exposed as an availability zone (cluster-scoped)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from kubenova.resources.base import CamelModel, CrdInfo, CustomResource, PrinterColumn, pattern_message


class AggregateSpec(CamelModel):
    """A named group of hosts (Kubernetes Node names) with metadata.

    With an availability zone set, its hosts form that zone for servers' availabilityZone.
    """

    id: int | None = Field(
        default=None,
        ge=1,
        description="Nova aggregate id asked for (an integer). The id in effect is status.id, which the "
        "operator sets to this value, or to the next free integer when omitted or already taken.",
    )
    name: str | None = Field(
        default=None, min_length=1, max_length=255, description="Display name. Defaults to metadata.name."
    )
    availability_zone: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        pattern=r"^[^:]+$",
        json_schema_extra=pattern_message("availability zone names may not contain ':'"),
        description="Availability zone its hosts belong to (no ':'). Empty: not a zone.",
    )
    hosts: list[str] = Field(
        default_factory=list,
        description="Member hosts: Kubernetes Node names, each listed once.",
        # A host is in an aggregate or not (Nova answers 409 to a second add); the API server
        # rejects duplicates of a set-typed list.
        json_schema_extra={"x-kubernetes-list-type": "set"},
    )
    metadata: dict[str, str] = Field(
        default_factory=dict,
        description="Free-form metadata, e.g. 'cpu_allocation_ratio', 'ram_allocation_ratio', "
        "'disk_allocation_ratio' or keys matched by flavor extra specs.",
    )


class AggregateStatus(CamelModel):
    """Observed state of the aggregate, written only by the operator."""

    id: int | None = Field(
        default=None,
        ge=1,
        description="Nova aggregate id, unique across Aggregates: spec.id when given (and not taken), "
        "else the next free integer. The operator is its only allocator.",
    )
    missing_hosts: list[str] = Field(
        default_factory=list, description="Listed hosts that do not exist as Nodes."
    )


class Aggregate(CustomResource):
    """A Nova host aggregate; with an availability zone, its Nodes form that zone."""

    crd: ClassVar[CrdInfo] = CrdInfo(
        kind="Aggregate",
        plural="aggregates",
        scope="Cluster",
        short_names=("agg",),
        printer_columns=(
            PrinterColumn("ID", ".status.id", "integer"),
            PrinterColumn("ZONE", ".spec.availabilityZone"),
            PrinterColumn("HOSTS", ".spec.hosts"),
            PrinterColumn("AGE", ".metadata.creationTimestamp", "date"),
        ),
    )

    spec: AggregateSpec = Field(default_factory=AggregateSpec)
    status: AggregateStatus = Field(default_factory=AggregateStatus)

    @property
    def display_name(self) -> str:
        return self.spec.name or self.metadata.name
