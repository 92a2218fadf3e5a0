"""Pure: what a rescue changes on a server's VirtualMachine, and how an unrescue undoes it.

Nova's (legacy) rescue on libvirt boots the instance from a rescue image, with the rescue disk as
the first disk and the instance's root disk as the second. On KubeVirt that is a change of the
halted VM's template: a disk ``rescuedisk`` first in ``domain.devices.disks`` with ``bootOrder: 1``
(the only bootable disk), backed by a new DataVolume ``<vm>-rescue`` in ``dataVolumeTemplates``
that CDI fills from the rescue image (or, for an image with ``rootDisk: Ephemeral``, by its
containerDisk), and the root disk (``rootdisk``, its DataVolume untouched) second, without a boot
order. The other disks (cloud-init, ephemeral, swap) stay as they were. An unrescue removes the
rescue disk, volume and template and gives the root disk ``bootOrder: 1`` again; the operator
then deletes the rescue DataVolume itself (virt-controller creates DataVolumes from templates;
the operator does not count on it deleting one whose template is gone: owned by the VM, it would
otherwise stay until the VM goes). The VM carries the rescue request it was patched for in an
annotation.
"""

from __future__ import annotations

from typing import Any

from kubenova.domain import flavors
from kubenova.domain.names import PREFIX, SERVER_LABEL, SERVER_UID_ANNOTATION
from kubenova.kubevirt import cdi_models as cdi
from kubenova.kubevirt import disks, models
from kubenova.resources.image import ROOT_DISK_EPHEMERAL, Image
from kubenova.resources.server import EmbeddedFlavor, Server

RESCUE_DISK = "rescuedisk"
RESCUE_ANNOTATION = PREFIX + "rescue-request"
"""On the VM: the rescue request whose rescue disk it boots from."""


def rescue_volume_name(vm_name: str) -> str:
    """The DataVolume (and PVC) of the rescue disk: ``<vm>-rescue``."""
    return f"{vm_name}-rescue"


def rescue_disk(
    server: Server, flavor: EmbeddedFlavor, image: Image, *, storage_class: str | None = None
) -> tuple[models.Volume, cdi.DataVolumeTemplateSpec | None]:
    """The rescue volume for ``image`` and the DataVolume template behind it (``None`` for an
    ephemeral containerDisk), sized as the root disk is for that image."""
    container = image.spec.container_disk
    if image.spec.root_disk == ROOT_DISK_EPHEMERAL and container is not None:
        source = models.ContainerDiskSource(
            image=container.image, path=container.path, image_pull_policy=container.image_pull_policy
        )
        return models.Volume(name=RESCUE_DISK, container_disk=source), None
    name = rescue_volume_name(server.metadata.name)
    template = cdi.DataVolumeTemplateSpec(
        metadata=models.ObjectMeta(
            name=name,
            labels={SERVER_LABEL: server.metadata.name},
            annotations={SERVER_UID_ANNOTATION: server.server_id},
        ),
        spec=cdi.DataVolumeSpec(
            source=disks.root_source(image),
            storage=cdi.StorageSpec(
                resources=cdi.StorageResources(
                    requests={"storage": disks.quantity(flavors.root_disk_bytes(flavor, image))}
                ),
                storage_class_name=storage_class or None,
            ),
        ),
    )
    volume = models.Volume(name=RESCUE_DISK, data_volume=models.DataVolumeVolumeSource(name=name))
    return volume, template


_Parts = tuple[list[dict[str, Any]], list[dict[str, Any]], list[Any]]


def _without_rescue(vm: models.VirtualMachine) -> _Parts:
    """The VM's disks, volumes and DataVolume templates without the rescue ones."""
    spec = vm.spec.template.spec
    rescue_dv = rescue_volume_name(vm.metadata.name or "")
    disk_list = [d.to_api() for d in spec.domain.devices.disks if d.name != RESCUE_DISK]
    volumes = [v.to_api() for v in spec.volumes if v.name != RESCUE_DISK]
    templates = [t.to_api() for t in vm.spec.data_volume_templates if t.metadata.name != rescue_dv]
    return disk_list, volumes, templates


def _patch(
    disk_list: list[dict[str, Any]], volumes: list[dict[str, Any]], templates: list[Any], request: str | None
) -> dict[str, Any]:
    return {
        "metadata": {"annotations": {RESCUE_ANNOTATION: request}},
        "spec": {
            "dataVolumeTemplates": templates,
            "template": {"spec": {"domain": {"devices": {"disks": disk_list}}, "volumes": volumes}},
        },
    }


def rescue_patch(
    vm: models.VirtualMachine,
    volume: models.Volume,
    template: cdi.DataVolumeTemplateSpec | None,
    request_id: str,
) -> dict[str, Any]:
    """A merge patch booting ``vm`` from the rescue ``volume`` (first, ``bootOrder: 1``) with its
    root disk second and not bootable (the run strategy is left alone)."""
    disk_list, volumes, templates = _without_rescue(vm)
    for disk in disk_list:
        disk.pop("bootOrder", None)
    rescue = models.Disk(name=RESCUE_DISK, disk=models.DiskTarget(bus="virtio"), boot_order=1)
    if template is not None:
        templates.append(template.to_api())
    return _patch([rescue.to_api(), *disk_list], [volume.to_api(), *volumes], templates, request_id)


def unrescue_patch(vm: models.VirtualMachine) -> dict[str, Any]:
    """A merge patch giving ``vm`` back its own disks: no rescue disk, the root disk bootable first."""
    disk_list, volumes, templates = _without_rescue(vm)
    for disk in disk_list:
        if disk.get("name") == disks.ROOT_DISK:
            disk["bootOrder"] = 1
    return _patch(disk_list, volumes, templates, None)


def has_rescue_disk(vm: models.VirtualMachine) -> bool:
    """Whether ``vm``'s template boots a rescue disk."""
    return any(d.name == RESCUE_DISK for d in vm.spec.template.spec.domain.devices.disks)


def rescued_for(vm: models.VirtualMachine, request_id: str) -> bool:
    """Whether ``vm`` was patched for the rescue ``request_id`` already."""
    return has_rescue_disk(vm) and vm.metadata.annotations.get(RESCUE_ANNOTATION) == request_id


def rescue_volumes(vm_name: str, volumes: list[cdi.DataVolume]) -> list[cdi.DataVolume]:
    """The server's rescue DataVolumes (at most one: ``<vm>-rescue``)."""
    return [v for v in volumes if v.metadata.name == rescue_volume_name(vm_name)]
