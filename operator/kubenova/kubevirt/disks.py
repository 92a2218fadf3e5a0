"""Pure: a server's disks as KubeVirt volumes, and the DataVolumes that back the persistent ones.

- Root: a DataVolume ``<vm>-root`` in the VM's ``dataVolumeTemplates``, populated by CDI from the
  Image's ``volumeSource`` (http import or PVC clone), else by a registry import of its
  containerDisk image (``docker://<image>``); sized as Nova sizes the root disk
  (``domain.flavors.root_disk_bytes``). An image with ``rootDisk: Ephemeral`` keeps the
  containerDisk as the root volume (ephemeral: the pristine image at every start).
- Ephemeral (GiB) and swap (MiB) of the flavor: blank DataVolumes ``<vm>-ephemeral0`` and
  ``<vm>-swap``, which survive reboot and stop/start as Nova's do.

Access and volume modes are left to CDI, which takes them from the StorageClass's StorageProfile
(shared ReadWriteMany storage keeps the VM live-migratable). The DataVolumes carry the Server
label and uid annotation, so the operator's index finds them and a DataVolume left from an
earlier same-named Server is not mistaken for this one's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kubenova.domain import flavors
from kubenova.domain.names import SERVER_LABEL, SERVER_UID_ANNOTATION
from kubenova.kubevirt import cdi_models as cdi
from kubenova.kubevirt import models
from kubenova.resources.image import ROOT_DISK_EPHEMERAL, Image
from kubenova.resources.server import EmbeddedFlavor, Server

ROOT_DISK = "rootdisk"
EPHEMERAL_DISK = "ephemeral0"
SWAP_DISK = "swap"


@dataclass(frozen=True)
class DiskPlan:
    root_volume: models.Volume
    scratch_volumes: list[models.Volume] = field(default_factory=list)
    templates: list[cdi.DataVolumeTemplateSpec] = field(default_factory=list)


def data_volume_name(vm_name: str, disk: str) -> str:
    """The DataVolume (and PVC) of a VM's disk: ``<vm>-root``, ``<vm>-ephemeral0``, ``<vm>-swap``."""
    return f"{vm_name}-{'root' if disk == ROOT_DISK else disk}"


def plan(
    server: Server, flavor: EmbeddedFlavor, image: Image, *, storage_class: str | None = None
) -> DiskPlan:
    """The root and scratch volumes of ``server`` and the DataVolume templates behind them."""
    vm_name = server.metadata.name
    templates: list[cdi.DataVolumeTemplateSpec] = []
    container = image.spec.container_disk
    if image.spec.root_disk == ROOT_DISK_EPHEMERAL and container is not None:
        root = models.Volume(
            name=ROOT_DISK,
            container_disk=models.ContainerDiskSource(
                image=container.image, path=container.path, image_pull_policy=container.image_pull_policy
            ),
        )
    else:
        size = quantity(flavors.root_disk_bytes(flavor, image))
        templates.append(_template(server, ROOT_DISK, root_source(image), size, storage_class))
        root = _dv_volume(ROOT_DISK, data_volume_name(vm_name, ROOT_DISK))
    scratch = []
    for disk, size in scratch_sizes(flavor):
        templates.append(
            _template(server, disk, cdi.DataVolumeSource(blank=cdi.BlankSource()), size, storage_class)
        )
        scratch.append(_dv_volume(disk, data_volume_name(vm_name, disk)))
    return DiskPlan(root_volume=root, scratch_volumes=scratch, templates=templates)


def root_source(image: Image) -> cdi.DataVolumeSource:
    """Where CDI populates the root disk from."""
    spec = image.spec
    if spec.volume_source is not None and spec.volume_source.http is not None:
        return cdi.DataVolumeSource(http=cdi.HttpSource(url=spec.volume_source.http.url))
    if spec.volume_source is not None and spec.volume_source.pvc is not None:
        pvc = spec.volume_source.pvc
        return cdi.DataVolumeSource(pvc=cdi.PvcSource(namespace=pvc.namespace, name=pvc.name))
    if spec.container_disk is None:  # the Image's own validation rules this out
        raise ValueError(f"image {image.metadata.name} has no source for a persistent root disk")
    return cdi.DataVolumeSource(registry=cdi.RegistrySource(url=f"docker://{spec.container_disk.image}"))


def scratch_sizes(flavor: EmbeddedFlavor) -> list[tuple[str, str]]:
    """(disk name, size) of the flavor's ephemeral and swap disks, when it has them."""
    disks = []
    if flavor.ephemeral > 0:
        disks.append((EPHEMERAL_DISK, f"{flavor.ephemeral}Gi"))
    if flavor.swap > 0:
        disks.append((SWAP_DISK, f"{flavor.swap}Mi"))
    return disks


def quantity(size_bytes: int) -> str:
    """Bytes as a Kubernetes quantity: whole GiB or MiB when exact, else rounded up to MiB."""
    if size_bytes % flavors.GIB == 0:
        return f"{size_bytes // flavors.GIB}Gi"
    mib = 1024**2
    return f"{-(-size_bytes // mib)}Mi"


def _template(
    server: Server, disk: str, source: cdi.DataVolumeSource, size: str, storage_class: str | None
) -> cdi.DataVolumeTemplateSpec:
    return cdi.DataVolumeTemplateSpec(
        metadata=models.ObjectMeta(
            name=data_volume_name(server.metadata.name, disk),
            labels={SERVER_LABEL: server.metadata.name},
            annotations={SERVER_UID_ANNOTATION: server.server_id},
        ),
        spec=cdi.DataVolumeSpec(
            source=source,
            storage=cdi.StorageSpec(
                resources=cdi.StorageResources(requests={"storage": size}),
                storage_class_name=storage_class,
            ),
        ),
    )


def _dv_volume(disk: str, dv_name: str) -> models.Volume:
    return models.Volume(name=disk, data_volume=models.DataVolumeVolumeSource(name=dv_name))
