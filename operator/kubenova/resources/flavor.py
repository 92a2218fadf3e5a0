"""``Flavor``: a Nova flavor, the size of a server (cluster-scoped)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from kubenova.resources.base import CamelModel, CrdInfo, CustomResource, PrinterColumn


class FlavorSpec(CamelModel):
    """The shape of a server: vCPUs, RAM and disks, plus extra specs that steer scheduling.

    Servers copy the flavor when they are built, so later edits do not resize existing servers.
    """

    id: str | None = Field(
        default=None,
        max_length=255,
        description="Nova flavor id (flavorRef). Defaults to metadata.name. Any string, e.g. '1' or a UUID.",
    )
    name: str | None = Field(
        default=None, min_length=1, max_length=255, description="Display name. Defaults to metadata.name."
    )
    vcpus: int = Field(ge=1, le=1024, description="Number of virtual CPUs.")
    ram: int = Field(ge=1, description="Memory in MiB.")
    disk: int = Field(default=0, ge=0, description="Root disk size in GiB (0: the image's own size).")
    ephemeral: int = Field(default=0, ge=0, description="Ephemeral disk size in GiB.")
    swap: int = Field(default=0, ge=0, description="Swap disk size in MiB.")
    rxtx_factor: float = Field(
        default=1.0, gt=0, description="Legacy network bandwidth factor (Nova rxtx_factor)."
    )
    is_public: bool = Field(
        default=True, description="Visible to every project; false limits it to 'projects'."
    )
    projects: list[str] = Field(
        default_factory=list, description="Project ids granted access to a private flavor (flavor access)."
    )
    extra_specs: dict[str, str] = Field(
        default_factory=dict,
        description="Nova extra specs, e.g. 'hw:cpu_policy'; 'aggregate_instance_extra_specs:*' keys "
        "restrict the flavor to aggregates whose metadata match.",
    )
    description: str | None = Field(default=None, max_length=65535, description="Free-form description.")


class FlavorStatus(CamelModel):
    """A Flavor has no observed state: servers embed a copy at build time, so nothing writes here."""


class Flavor(CustomResource):
    """A Nova flavor: vCPUs, RAM (MiB), root/ephemeral disk (GiB) and swap (MiB) for servers."""

    crd: ClassVar[CrdInfo] = CrdInfo(
        kind="Flavor",
        plural="flavors",
        scope="Cluster",
        short_names=("flv",),
        printer_columns=(
            PrinterColumn("ID", ".spec.id"),
            PrinterColumn("VCPUS", ".spec.vcpus", "integer"),
            PrinterColumn("RAM", ".spec.ram", "integer", "Memory in MiB"),
            PrinterColumn("DISK", ".spec.disk", "integer", "Root disk in GiB"),
            PrinterColumn("EPHEMERAL", ".spec.ephemeral", "integer", priority=1),
            PrinterColumn("PUBLIC", ".spec.isPublic", "boolean"),
            PrinterColumn("AGE", ".metadata.creationTimestamp", "date"),
        ),
    )

    spec: FlavorSpec
    status: FlavorStatus = Field(default_factory=FlavorStatus)

    @property
    def flavor_id(self) -> str:
        return self.spec.id or self.metadata.name

    @property
    def display_name(self) -> str:
        return self.spec.name or self.metadata.name
