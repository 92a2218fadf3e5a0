"""Pure: how a resize changes a VirtualMachine, the way KubeVirt users resize a VM cold.

The VM is halted (``runStrategy: Halted``), its template gets the new flavor's CPU cores, guest
memory and memory request and the ``nodeSelector`` of the new host (the same pinning the builder
uses), and it is started again; virt-controller's next VMI has the new shape on the new host.
A same-host resize is the same patch with the host unchanged. The persistent root disk is grown
by raising its PersistentVolumeClaim's storage request (the CSI resizer grows the volume, the
kubelet the filesystem at the next mount); a claim is never shrunk (the API server refuses it).
"""

from __future__ import annotations

from typing import Any

from kubenova.domain import flavors
from kubenova.domain.names import FLAVOR_ANNOTATION
from kubenova.kubevirt import models
from kubenova.kubevirt.builder import HOSTNAME_LABEL
from kubenova.kubevirt.disks import ROOT_DISK, quantity
from kubenova.resources.image import Image
from kubenova.resources.server import EmbeddedFlavor


def shaped(vm: models.VirtualMachine, flavor: EmbeddedFlavor, host: str) -> bool:
    """Whether the VM's template already has ``flavor``'s shape and is pinned to ``host``."""
    spec = vm.spec.template.spec
    domain = spec.domain
    memory = f"{flavor.ram}Mi"
    cores = domain.cpu.cores if domain.cpu is not None else None
    guest = domain.memory.guest if domain.memory is not None else None
    requested = domain.resources.requests.get("memory") if domain.resources is not None else None
    return (
        cores == flavor.vcpus
        and guest == memory
        and requested == memory
        and spec.node_selector.get(HOSTNAME_LABEL) == host
    )


def vm_patch(flavor: EmbeddedFlavor, host: str) -> dict[str, Any]:
    """The merge patch giving the VM ``flavor``'s CPU and memory on ``host``."""
    memory = f"{flavor.ram}Mi"
    return {
        "metadata": {"annotations": {FLAVOR_ANNOTATION: flavor.id}},
        "spec": {
            "template": {
                "spec": {
                    "domain": {
                        "cpu": {"cores": flavor.vcpus, "sockets": 1, "threads": 1},
                        "memory": {"guest": memory},
                        "resources": {"requests": {"memory": memory}},
                    },
                    "nodeSelector": {HOSTNAME_LABEL: host},
                }
            }
        },
    }


def root_claim(vm: models.VirtualMachine) -> str | None:
    """The PersistentVolumeClaim of the VM's root disk (its DataVolume's, same name), if any."""
    for volume in vm.spec.template.spec.volumes:
        if volume.name != ROOT_DISK:
            continue
        if volume.data_volume is not None:
            return volume.data_volume.name
        if volume.persistent_volume_claim is not None:
            return volume.persistent_volume_claim.claim_name
    return None


def grown_root_bytes(old: EmbeddedFlavor, new: EmbeddedFlavor, image: Image | None) -> int | None:
    """The root disk size a resize from ``old`` to ``new`` asks for, or ``None`` when it does not
    grow (a smaller or equal size leaves the disk as it is)."""
    if image is None:
        before, after = old.disk * flavors.GIB, new.disk * flavors.GIB
    else:
        before, after = flavors.root_disk_bytes(old, image), flavors.root_disk_bytes(new, image)
    return after if after > before else None


def claim_patch(size_bytes: int) -> dict[str, Any]:
    """The merge patch raising a claim's storage request to ``size_bytes``."""
    return {"spec": {"resources": {"requests": {"storage": quantity(size_bytes)}}}}
