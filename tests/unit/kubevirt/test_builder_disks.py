"""The disks of a built VM: the persistent root DataVolume (source, size, class), the ephemeral
containerDisk choice, and the flavor's ephemeral and swap disks as blank DataVolumes."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova.domain import flavors
from kubenova.domain.names import SERVER_LABEL, SERVER_UID_ANNOTATION
from kubenova.kubevirt import builder, cdi_models, disks, models
from kubenova.resources.image import Image
from tests.unit.operator import factories as f


def build(**kwargs: Any) -> models.VirtualMachine:
    args: dict[str, Any] = {
        "server": f.server(),
        "flavor": f.embedded(),
        "image": f.image(),
        "keypair": None,
        "host": "node-a",
    }
    args.update(kwargs)
    return builder.build(**args).vm


def templates(vm: models.VirtualMachine) -> dict[str, cdi_models.DataVolumeTemplateSpec]:
    return {t.metadata.name or "": t for t in vm.spec.data_volume_templates}


def volume(vm: models.VirtualMachine, name: str) -> models.Volume:
    return next(v for v in vm.spec.template.spec.volumes if v.name == name)


def test_root_disk_is_a_data_volume_imported_from_the_container_disk_registry() -> None:
    vm = build(image=f.image(containerDisk={"image": "quay.io/x/fedora:41"}), flavor=f.embedded(disk=20))
    root = volume(vm, builder.ROOT_DISK)
    assert root.data_volume == models.DataVolumeVolumeSource(name="web-1-root")
    assert root.container_disk is None
    template = templates(vm)["web-1-root"]
    assert template.spec.source == cdi_models.DataVolumeSource(
        registry=cdi_models.RegistrySource(url="docker://quay.io/x/fedora:41")
    )
    assert template.spec.storage is not None
    assert template.spec.storage.size == "20Gi"
    assert template.spec.storage.access_modes is None  # CDI's StorageProfile decides
    assert template.spec.storage.storage_class_name is None
    assert template.metadata.labels == {SERVER_LABEL: "web-1"}
    assert template.metadata.annotations[SERVER_UID_ANNOTATION] == f.server().server_id


def test_storage_class_setting_names_the_class() -> None:
    vm = build(flavor=f.embedded(ephemeral=1), storage_class="fast")
    assert {t.spec.storage.storage_class_name for t in vm.spec.data_volume_templates if t.spec.storage} == {
        "fast"
    }
    assert build(storage_class="").spec.data_volume_templates[0].spec.storage.storage_class_name is None  # type: ignore[union-attr]


def test_http_and_pvc_volume_sources_of_the_image() -> None:
    http = build(image=f.image(volumeSource={"http": {"url": "https://images.example/f.qcow2"}}))
    assert templates(http)["web-1-root"].spec.source == cdi_models.DataVolumeSource(
        http=cdi_models.HttpSource(url="https://images.example/f.qcow2")
    )
    pvc = build(image=f.image(volumeSource={"pvc": {"namespace": "images", "name": "fedora"}}))
    assert templates(pvc)["web-1-root"].spec.source == cdi_models.DataVolumeSource(
        pvc=cdi_models.PvcSource(namespace="images", name="fedora")
    )


def test_ephemeral_root_disk_keeps_the_container_disk() -> None:
    image = f.image(
        containerDisk={"image": "quay.io/x/fedora:41", "path": "/disk/f.qcow2", "imagePullPolicy": "Always"},
        rootDisk="Ephemeral",
    )
    vm = build(image=image)
    assert volume(vm, builder.ROOT_DISK).container_disk == models.ContainerDiskSource(
        image="quay.io/x/fedora:41", path="/disk/f.qcow2", image_pull_policy="Always"
    )
    assert vm.spec.data_volume_templates == []


@pytest.mark.parametrize(
    ("flavor_disk", "image_spec", "size"),
    [
        (5, {"minDisk": 2, "virtualSize": 50 * 1024**3}, "5Gi"),
        (0, {"minDisk": 3}, "3Gi"),
        (0, {"virtualSize": 200 * 1024**2}, "200Mi"),
        (0, {"minDisk": 1, "virtualSize": 3 * 1024**3 + 1}, "3073Mi"),
        (0, {}, "1Gi"),
    ],
)
def test_root_size_is_the_flavors_else_the_images(
    flavor_disk: int, image_spec: dict[str, Any], size: str
) -> None:
    vm = build(flavor=f.embedded(disk=flavor_disk), image=f.image(**image_spec))
    storage = templates(vm)["web-1-root"].spec.storage
    assert storage is not None
    assert storage.size == size
    assert (
        disks.quantity(flavors.root_disk_bytes(f.embedded(disk=flavor_disk), f.image(**image_spec))) == size
    )


def test_ephemeral_and_swap_are_blank_data_volumes_only_when_the_flavor_has_them() -> None:
    plain = build().spec
    assert [v.name for v in plain.template.spec.volumes] == [builder.ROOT_DISK, builder.CLOUD_INIT_DISK]
    assert [t.metadata.name for t in plain.data_volume_templates] == ["web-1-root"]
    vm = build(flavor=f.embedded(ephemeral=10, swap=512))
    found = templates(vm)
    for disk, dv, size in (
        (builder.EPHEMERAL_DISK, "web-1-ephemeral0", "10Gi"),
        (builder.SWAP_DISK, "web-1-swap", "512Mi"),
    ):
        assert volume(vm, disk).data_volume == models.DataVolumeVolumeSource(name=dv)
        assert found[dv].spec.source == cdi_models.DataVolumeSource(blank=cdi_models.BlankSource())
        assert found[dv].spec.storage is not None
        assert found[dv].spec.storage.size == size
    assert {d.name for d in vm.spec.template.spec.domain.devices.disks} >= {
        builder.EPHEMERAL_DISK,
        builder.SWAP_DISK,
    }


def test_image_needs_a_bootable_source() -> None:
    with pytest.raises(ValueError, match="containerDisk or a volumeSource"):
        Image.model_validate({"metadata": {"name": "x"}, "spec": {}})
    with pytest.raises(ValueError, match="Ephemeral needs a containerDisk"):
        Image.model_validate(
            {
                "metadata": {"name": "x"},
                "spec": {"rootDisk": "Ephemeral", "volumeSource": {"http": {"url": "http://a/b"}}},
            }
        )
    with pytest.raises(ValueError, match="exactly one of http, pvc"):
        Image.model_validate({"metadata": {"name": "x"}, "spec": {"volumeSource": {}}})


def test_progress_is_read_from_cdis_text() -> None:
    assert cdi_models.progress_percent("45.50%") == 45
    assert cdi_models.progress_percent("N/A") is None
    assert cdi_models.progress_percent(None) is None


def test_an_image_larger_than_the_flavors_disk_fails_the_build() -> None:
    big = f.image(virtualSize=3 * 1024**3)
    assert flavors.root_disk_error(f.embedded(disk=2), big) == (
        "Flavor's disk is too small for requested image. "
        f"Flavor disk is {2 * 1024**3} bytes, image is {3 * 1024**3} bytes."
    )
    assert flavors.root_disk_error(f.embedded(disk=3), big) is None
    assert flavors.root_disk_error(f.embedded(disk=0), big) is None  # disk 0: the image's size
