"""``Image``: what a server boots from (cluster-scoped), the stand-in for a Glance image."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, model_validator

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


class HttpImport(CamelModel):
    """A disk image CDI downloads over HTTP(S)."""

    url: str = Field(min_length=1, pattern=r"^https?://", description="http(s) URL of the disk image.")


class PvcClone(CamelModel):
    """A PersistentVolumeClaim holding the image, which CDI clones for each server."""

    namespace: str = Field(min_length=1, description="Namespace of the image PVC.")
    name: str = Field(min_length=1, description="Name of the image PVC.")


class VolumeSource(CamelModel):
    """Where CDI populates a persistent root disk from, instead of the containerDisk image."""

    model_config = ConfigDict(
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": "has(self.http) != has(self.pvc)",
                    "message": "volumeSource needs exactly one of http, pvc",
                }
            ]
        }
    )

    http: HttpImport | None = Field(default=None, description="Import over HTTP(S).")
    pvc: PvcClone | None = Field(default=None, description="Clone an image PVC.")

    @model_validator(mode="after")
    def _one_source(self) -> VolumeSource:
        if (self.http is None) == (self.pvc is None):
            raise ValueError("volumeSource needs exactly one of http, pvc")
        return self


ROOT_DISK_PERSISTENT = "Persistent"
ROOT_DISK_EPHEMERAL = "Ephemeral"


class ImageSpec(CamelModel):
    """The bootable source and the Glance attributes of the image.

    A server's root disk is by default a persistent volume of its own (a CDI DataVolume imported
    from ``volumeSource``, or from the containerDisk image through CDI's registry import);
    ``rootDisk: Ephemeral`` boots the containerDisk itself, which starts from the pristine image at
    every stop/start and reboot. minDisk and minRam are checked against the flavor when a server
    is created.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": "has(self.containerDisk) || has(self.volumeSource)",
                    "message": "an image needs a containerDisk or a volumeSource",
                },
                {
                    "rule": "!has(self.rootDisk) || self.rootDisk != 'Ephemeral' || has(self.containerDisk)",
                    "message": "rootDisk Ephemeral needs a containerDisk",
                },
            ]
        }
    )

    name: str | None = Field(
        default=None, min_length=1, max_length=255, description="Display name. Defaults to metadata.name."
    )
    container_disk: ContainerDiskSource | None = Field(
        default=None,
        description="KubeVirt containerDisk: the ephemeral root disk, and the registry a persistent "
        "root disk is imported from when volumeSource is not given.",
    )
    volume_source: VolumeSource | None = Field(
        default=None, description="CDI source of a persistent root disk (http import or PVC clone)."
    )
    root_disk: Literal["Persistent", "Ephemeral"] = Field(
        default="Persistent",
        description="Persistent: each server gets its own root volume (CDI DataVolume). Ephemeral: "
        "the containerDisk itself, reset to the image at every stop/start and reboot.",
    )
    virtual_size: int | None = Field(
        default=None,
        ge=0,
        description="Glance virtual_size in bytes: the root disk of a server whose flavor's disk is 0.",
    )
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

    @model_validator(mode="after")
    def _bootable(self) -> ImageSpec:
        if self.container_disk is None and self.volume_source is None:
            raise ValueError("an image needs a containerDisk or a volumeSource")
        if self.root_disk == ROOT_DISK_EPHEMERAL and self.container_disk is None:
            raise ValueError("rootDisk Ephemeral needs a containerDisk")
        return self


class ImageStatus(CamelModel):
    """Glance's image status. The operator writes it for the images it makes of a server's root
    disk (createImage/createBackup: queued → saving → active, or killed); an administrator may set
    it through the status subresource (e.g. ``deactivated``), and the gateway refuses to boot such
    an image. Empty means active, except for an image of a server (property ``image_type``
    snapshot or backup) the operator has not taken up yet: queued."""

    status: Literal["queued", "saving", "active", "killed", "deactivated"] | None = Field(
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
            PrinterColumn("ROOT DISK", ".spec.rootDisk"),
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
