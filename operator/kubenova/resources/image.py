"""``Image``: what a server boots from (cluster-scoped), the stand-in for a Glance image."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from kubenova.resources.base import CamelModel, CrdInfo, CustomResource, PrinterColumn


class ContainerDiskSource(CamelModel):
    """A KubeVirt containerDisk: a disk image shipped inside an OCI image."""

    image: str = Field(
        min_length=1, description="OCI image reference, e.g. quay.io/containerdisks/fedora:41."
    )
    path: str | None = Field(default=None, description="Path of the disk file inside the OCI image.")
    image_pull_policy: Literal["Always", "IfNotPresent", "Never"] | None = Field(
        default=None, description="Pull policy of the containerDisk."
    )


class ImageSpec(CamelModel):
    """The bootable source (a KubeVirt containerDisk) and the Glance attributes of the image.

    minDisk and minRam are checked against the flavor when a server is created.
    """

    name: str | None = Field(
        default=None, min_length=1, max_length=255, description="Display name. Defaults to metadata.name."
    )
    container_disk: ContainerDiskSource = Field(description="Root disk source (KubeVirt containerDisk).")
    min_disk: int = Field(default=0, ge=0, description="Minimum root disk in GiB a flavor must offer.")
    min_ram: int = Field(default=0, ge=0, description="Minimum RAM in MiB a flavor must offer.")
    disk_format: str = Field(default="qcow2", description="Glance disk_format.")
    container_format: str = Field(default="bare", description="Glance container_format.")
    visibility: Literal["public", "private", "shared", "community"] = Field(
        default="public", description="Glance visibility."
    )
    owner: str | None = Field(default=None, description="Owning project id (private images).")
    protected: bool = Field(default=False, description="Refuse deletion while true.")
    properties: dict[str, str] = Field(
        default_factory=dict, description="Free-form image properties, e.g. os_distro, os_version."
    )


class ImageStatus(CamelModel):
    """Glance's image status. kubenova's components never write it; an administrator may set it
    through the status subresource (e.g. ``deactivated``), and the gateway refuses to boot such
    an image. Empty means active."""

    status: Literal["queued", "active", "deactivated"] | None = Field(
        default=None, description="Glance status of the image."
    )


class Image(CustomResource):
    """A bootable image (KubeVirt containerDisk) with Glance attributes; Nova's imageRef resolves here."""

    crd: ClassVar[CrdInfo] = CrdInfo(
        kind="Image",
        plural="images",
        scope="Cluster",
        short_names=("img",),
        printer_columns=(
            PrinterColumn("DISPLAY NAME", ".spec.name"),
            PrinterColumn("SOURCE", ".spec.containerDisk.image"),
            PrinterColumn("MIN DISK", ".spec.minDisk", "integer"),
            PrinterColumn("MIN RAM", ".spec.minRam", "integer"),
            PrinterColumn("VISIBILITY", ".spec.visibility", priority=1),
            PrinterColumn("AGE", ".metadata.creationTimestamp", "date"),
        ),
    )

    spec: ImageSpec
    status: ImageStatus = Field(default_factory=ImageStatus)

    @property
    def image_id(self) -> str:
        """Glance id: the object's uid (stable for the object's life, a UUID as clients expect)."""
        return self.metadata.uid or self.metadata.name

    @property
    def display_name(self) -> str:
        return self.spec.name or self.metadata.name
