"""virt-controller and the VM's volumes: DataVolumes from ``spec.dataVolumeTemplates`` are created
(owned by the VM) and waited for before the VMI starts.

``readiness`` is pure and follows KubeVirt: a DataVolume in phase Failed, or whose Running
condition is False with reason Error or ImagePullFailed, is a DataVolumeError (with a
FailedDataVolumeImport sync failure); one not yet Succeeded keeps the VM Provisioning; a
persistentVolumeClaim volume whose claim is unbound keeps it WaitingForVolumeBinding. The VM shows
KubeVirt's DataVolumesReady condition while it has no VMI.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from kubenova.k8s import Conflict, Informer, Transport
from kubenova.k8s import JsonObject as Obj
from kubenova.kubevirt import cdi_models as cdi
from kubenova.kubevirt.models import API_VERSION, VIRTUAL_MACHINE, PrintableStatus, VirtualMachine
from kubevirt_simulator import kubevirt_events
from kubevirt_simulator.crds import DV_RESOURCE

log = logging.getLogger(__name__)

DV_ERROR_REASONS = ("Error", "ImagePullFailed")
IMPORT_FAILURE_REASON = "FailedDataVolumeImport"


@dataclass(frozen=True)
class Readiness:
    ready: bool = True
    printable: PrintableStatus | None = None
    """The printable status while the VM may not start (None: volumes ready)."""
    failure: tuple[str, str] | None = None
    """(reason, message) of a sync failure to report (a failed import)."""
    condition: dict[str, Any] | None = None
    """KubeVirt's DataVolumesReady condition (None: the VM has no DataVolume volumes)."""


def data_volume_names(vm: VirtualMachine) -> list[str]:
    return [v.data_volume.name for v in vm.spec.template.spec.volumes if v.data_volume is not None]


def claim_names(vm: VirtualMachine) -> list[str]:
    return [
        v.persistent_volume_claim.claim_name
        for v in vm.spec.template.spec.volumes
        if v.persistent_volume_claim is not None
    ]


def dv_error(dv: cdi.DataVolume) -> str | None:
    """KubeVirt's reading of a DataVolume that will not become ready (HasDataVolumeErrors)."""
    name = dv.metadata.name
    if dv.status.phase == cdi.DataVolumePhase.FAILED:
        return f"DataVolume {name} is in Failed phase"
    running = dv.status.condition(cdi.RUNNING)
    if running is not None and running.status == "False" and running.reason in DV_ERROR_REASONS:
        return f"DataVolume {name} importer has stopped running due to an error: {running.message}"
    return None


def readiness(
    vm: VirtualMachine, dvs: dict[str, cdi.DataVolume | None], claim_phases: dict[str, str | None]
) -> Readiness:
    """Whether the VM's volumes let its VMI start, and what the VM status says meanwhile."""
    names = data_volume_names(vm)
    condition = None
    if names:
        all_ready = all(
            (dv := dvs.get(n)) is not None
            and (c := dv.status.condition(cdi.READY)) is not None
            and c.status == "True"
            for n in names
        )
        condition = {
            "type": "DataVolumesReady",
            "status": "True" if all_ready else "False",
            "reason": "AllDVsReady" if all_ready else "NotAllDVsReady",
            "message": "All of the VMI's DVs are bound and not running"
            if all_ready
            else "Not all of the VMI's DVs are ready",
        }
    for name in names:
        dv = dvs.get(name)
        error = dv_error(dv) if dv is not None else None
        if error is not None:
            return Readiness(
                False,
                PrintableStatus.DATA_VOLUME_ERROR,
                (
                    IMPORT_FAILURE_REASON,
                    f"Error encountered while importing DataVolume {vm.metadata.namespace}/{name}: {error}",
                ),
                condition,
            )
    if any((dv := dvs.get(n)) is None or dv.status.phase != cdi.DataVolumePhase.SUCCEEDED for n in names):
        return Readiness(False, PrintableStatus.PROVISIONING, None, condition)
    if any(claim_phases.get(n) != "Bound" for n in claim_names(vm)):
        return Readiness(False, PrintableStatus.WAITING_FOR_VOLUME_BINDING, None, condition)
    return Readiness(True, None, None, condition)


def data_volume_manifest(vm_obj: Obj, template: cdi.DataVolumeTemplateSpec) -> Obj:
    """The DataVolume virt-controller creates from a template: its metadata and spec, owned by the VM."""
    meta = vm_obj.get("metadata") or {}
    body = template.to_api()
    dv_meta = body.get("metadata") or {}
    return {
        "apiVersion": cdi.CDI_API_VERSION,
        "kind": cdi.DATA_VOLUME_KIND,
        "metadata": {
            "name": dv_meta.get("name"),
            "namespace": meta.get("namespace"),
            "labels": dv_meta.get("labels") or {},
            "annotations": dv_meta.get("annotations") or {},
            "ownerReferences": [
                {
                    "apiVersion": API_VERSION,
                    "kind": VIRTUAL_MACHINE.kind,
                    "name": meta.get("name"),
                    "uid": meta.get("uid"),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": body.get("spec") or {},
    }


class VmVolumes:
    """The DataVolume side of virt-controller's VM sync."""

    def __init__(self, client: Transport, dvs: Informer[Obj], pvcs: Informer[Obj]) -> None:
        self._client = client
        self._dvs = dvs
        self._pvcs = pvcs

    def sync(self, vm_obj: Obj, vm: VirtualMachine) -> Readiness | None:
        """Create the missing DataVolumes; the readiness of the volumes (None: look again soon)."""
        namespace = vm.metadata.namespace or ""
        for template in vm.spec.data_volume_templates:
            name = template.metadata.name or ""
            existing = self._dvs.get(name, namespace)
            if existing is None:
                try:
                    self._dvs.record_write(
                        self._client.create(DV_RESOURCE, data_volume_manifest(vm_obj, template), namespace)
                    )
                except Conflict:
                    return None  # the cache is behind
                kubevirt_events.post(
                    self._client,
                    "VirtualMachine",
                    vm_obj["metadata"],
                    "SuccessfulDataVolumeCreate",
                    kubevirt_events.DATA_VOLUME_CREATED.format(name),
                    component=kubevirt_events.VM_CONTROLLER,
                )
                log.info(
                    "kubevirt-simulator: VM %s/%s created DataVolume %s", namespace, vm.metadata.name, name
                )
            elif _controller_uid(existing) != vm.metadata.uid:
                log.warning(
                    "kubevirt-simulator: DataVolume %s/%s is not controlled by VM %s; waiting",
                    namespace,
                    name,
                    vm.metadata.name,
                )
                return None
        dvs = {n: self._parsed(self._dvs.get(n, namespace)) for n in data_volume_names(vm)}
        claims = {n: _phase(self._pvcs.get(n, namespace)) for n in claim_names(vm)}
        return readiness(vm, dvs, claims)

    @staticmethod
    def _parsed(obj: Obj | None) -> cdi.DataVolume | None:
        if obj is None:
            return None
        try:
            return cdi.DataVolume.model_validate(obj)
        except ValidationError:
            return None


def _controller_uid(obj: Obj) -> str | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("uid"))
    return None


def _phase(pvc: Obj | None) -> str | None:
    return None if pvc is None else str((pvc.get("status") or {}).get("phase") or "Pending")
