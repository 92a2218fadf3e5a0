"""Pure: what a rebuild changes on a server's VirtualMachine, the way KubeVirt users rebuild a VM.

The VM is halted, its ``dataVolumeTemplates`` and template (cloud-init, hostname) are patched to
what ``builder`` builds for the new image and user data, and the DataVolumes to re-create are
deleted; virt-controller creates a DataVolume missing from its template again, and CDI fills it
from the new source. The root disk is always re-created; the flavor's ephemeral disk only without
``preserve_ephemeral``; swap is kept (Nova's rebuild does not touch it either).
"""

from __future__ import annotations

from typing import Any

from kubenova.domain.names import IMAGE_ANNOTATION, PREFIX
from kubenova.kubevirt import cdi_models, disks, models

REBUILD_ANNOTATION = PREFIX + "rebuild-request"
"""On the VM: the rebuild request whose disks and cloud-init it carries."""


def vm_patch(built: models.VirtualMachine, request_id: str) -> dict[str, Any]:
    """A merge patch making an existing VM's disks, cloud-init and hostname those of ``built``
    (the run strategy is left alone: the rebuild halts and starts the VM itself)."""
    body = built.to_api()
    spec = body.get("spec") or {}
    annotations = {
        IMAGE_ANNOTATION: built.metadata.annotations.get(IMAGE_ANNOTATION),
        REBUILD_ANNOTATION: request_id,
    }
    return {
        "metadata": {"annotations": annotations},
        "spec": {
            "dataVolumeTemplates": spec.get("dataVolumeTemplates") or [],
            "template": spec.get("template") or {},
        },
    }


def vm_patched(vm: models.VirtualMachine, request_id: str) -> bool:
    """Whether ``vm`` was patched for the rebuild ``request_id`` already."""
    return vm.metadata.annotations.get(REBUILD_ANNOTATION) == request_id


def disks_to_replace(*, preserve_ephemeral: bool) -> tuple[str, ...]:
    """The VM's disks a rebuild re-creates."""
    return (disks.ROOT_DISK,) if preserve_ephemeral else (disks.ROOT_DISK, disks.EPHEMERAL_DISK)


def replaced_volumes(
    vm_name: str, volumes: list[cdi_models.DataVolume], *, preserve_ephemeral: bool
) -> list[cdi_models.DataVolume]:
    """The server's DataVolumes a rebuild deletes (those that exist)."""
    wanted = {
        disks.data_volume_name(vm_name, d) for d in disks_to_replace(preserve_ephemeral=preserve_ephemeral)
    }
    return [v for v in volumes if v.metadata.name in wanted]


def replacements_ready(
    vm_name: str,
    volumes: list[cdi_models.DataVolume],
    replaced_uids: list[str],
    *,
    preserve_ephemeral: bool,
    templates: list[str],
) -> bool:
    """Whether each replaced disk that has a template is back as a DataVolume with a new uid."""
    names = {
        disks.data_volume_name(vm_name, d) for d in disks_to_replace(preserve_ephemeral=preserve_ephemeral)
    }
    by_name = {v.metadata.name: v for v in volumes}
    for name in names & set(templates):
        current = by_name.get(name)
        if current is None or current.metadata.uid in replaced_uids or current.metadata.deletion_timestamp:
            return False
    return True


def import_error(volumes: list[cdi_models.DataVolume], names: list[str]) -> str | None:
    """CDI's message for a DataVolume of ``names`` that will not be filled (KubeVirt's rule:
    phase Failed, or its Running condition False with reason Error or ImagePullFailed)."""
    for volume in volumes:
        if volume.metadata.name not in names:
            continue
        running = volume.status.condition(cdi_models.RUNNING)
        stopped = (
            running is not None
            and running.status == "False"
            and running.reason in ("Error", "ImagePullFailed")
        )
        if volume.status.phase == cdi_models.DataVolumePhase.FAILED or stopped:
            text = running.message if running is not None and running.message else volume.status.phase
            return f"DataVolume {volume.metadata.name}: {text}"
    return None


def imported(volumes: list[cdi_models.DataVolume], names: list[str]) -> bool:
    """Whether every DataVolume of ``names`` exists and is Succeeded."""
    by_name = {v.metadata.name: v for v in volumes}
    return all(
        (v := by_name.get(n)) is not None and v.status.phase == cdi_models.DataVolumePhase.SUCCEEDED
        for n in names
    )
