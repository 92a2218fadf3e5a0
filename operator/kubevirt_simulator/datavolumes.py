"""CDI's DataVolume controller (simulator): each DataVolume gets a PVC of its name, owned by it,
and its status walks CDI's phases (``dv_phases``) as the PVC binds and the simulated import or
clone progresses, at ``--import-bandwidth`` bytes per second of the disk's size. No data is moved:
the simulator has no importer pods.

The PVC is CDI's: the DataVolume's ``spec.storage`` (access and volume modes, when left out, from
the simulated StorageProfile: ReadWriteMany Block, shared storage as live migration needs), the
DataVolume's labels, CDI's import annotations, and a controller owner reference to the
DataVolume, so the garbage collector removes it with the DataVolume.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from kubenova import k8s
from kubenova.k8s import Conflict, Informer, Transport
from kubenova.k8s import JsonObject as Obj
from kubenova.kubevirt import cdi_models as cdi
from kubenova.quantities import parse_quantity
from kubevirt_simulator import dv_phases
from kubevirt_simulator.config import SimulatorConfig
from kubevirt_simulator.crds import DV_RESOURCE
from kubevirt_simulator.names import (
    CDI_CLONE_SOURCE_ANNOTATION,
    CDI_IMPORT_ENDPOINT_ANNOTATION,
    CDI_IMPORT_SOURCE_ANNOTATION,
    CLONE_ANNOTATION,
)
from kubevirt_simulator.timeutil import now as utcnow
from kubevirt_simulator.timeutil import rfc3339
from kubevirt_simulator.writes import patch_status

log = logging.getLogger(__name__)

PROFILE_ACCESS_MODES = ["ReadWriteMany"]
PROFILE_VOLUME_MODE = "Block"


def pvc_manifest(dv: cdi.DataVolume, size: str) -> Obj:
    """The PVC CDI creates for ``dv``."""
    meta = dv.metadata
    storage = dv.spec.storage or cdi.StorageSpec()
    source = dv.spec.source or cdi.DataVolumeSource(blank=cdi.BlankSource())
    annotations = {CDI_IMPORT_SOURCE_ANNOTATION: source.kind if source.kind != "blank" else "none"}
    url = dv_phases.source_url(source)
    if url:
        annotations[CDI_IMPORT_ENDPOINT_ANNOTATION] = url
    if source.pvc is not None:
        annotations = {CDI_CLONE_SOURCE_ANNOTATION: f"{source.pvc.namespace}/{source.pvc.name}"}
    spec: dict[str, Any] = {
        "accessModes": storage.access_modes or list(PROFILE_ACCESS_MODES),
        "volumeMode": storage.volume_mode or PROFILE_VOLUME_MODE,
        "resources": {"requests": {"storage": size}},
    }
    if storage.storage_class_name:
        spec["storageClassName"] = storage.storage_class_name
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": meta.name,
            "namespace": meta.namespace,
            "labels": {**meta.labels, "app": "containerized-data-importer"},
            "annotations": annotations,
            "ownerReferences": [
                {
                    "apiVersion": cdi.CDI_API_VERSION,
                    "kind": cdi.DATA_VOLUME_KIND,
                    "name": meta.name,
                    "uid": meta.uid,
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": spec,
    }


def controller_uid(obj: Obj) -> str | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("uid"))
    return None


def phase_of(pvc: Obj | None) -> str | None:
    if pvc is None:
        return None
    return str((pvc.get("status") or {}).get("phase") or "Pending")


def with_times(new: dict[str, Any], previous: list[dict[str, Any]]) -> dict[str, Any]:
    """Conditions with CDI's times: a transition time kept while the status stays, heartbeat now."""
    now = rfc3339()
    before = {c.get("type"): c for c in previous}
    conditions = []
    for condition in new.get("conditions") or []:
        old = before.get(condition["type"])
        kept = old.get("lastTransitionTime") if old and old.get("status") == condition["status"] else None
        conditions.append({**condition, "lastTransitionTime": kept or now, "lastHeartbeatTime": now})
    return {**new, "conditions": conditions}


class DataVolumeController:
    def __init__(
        self, client: Transport, config: SimulatorConfig, dvs: Informer[Obj], pvcs: Informer[Obj]
    ) -> None:
        self._client = client
        self._config = config
        self._dvs = dvs
        self._pvcs = pvcs

    def reconcile(self, namespace: str, name: str) -> float | None:
        obj = self._dvs.get(name, namespace)
        if obj is None:
            return None  # its PVC goes with it (owner reference)
        try:
            dv = cdi.DataVolume.model_validate(obj)
        except ValidationError as exc:
            log.warning("kubevirt-simulator: DataVolume %s/%s does not parse: %s", namespace, name, exc)
            return None
        if dv.metadata.deletion_timestamp is not None:
            return None
        pvc = self._pvcs.get(name, namespace)
        if pvc is None:
            size = self._size(dv)
            if size is None:
                self._write(obj, self._failed("DataVolume has no storage size"))
                return None
            try:
                pvc = self._pvcs.record_write(
                    self._client.create(k8s.PERSISTENT_VOLUME_CLAIMS, pvc_manifest(dv, size), namespace)
                )
            except Conflict:
                return 0.2  # the cache is behind
            log.info("kubevirt-simulator (CDI): PVC %s/%s created for its DataVolume", namespace, name)
        elif controller_uid(pvc) != dv.metadata.uid:
            log.warning(
                "kubevirt-simulator (CDI): PVC %s/%s is not this DataVolume's; waiting", namespace, name
            )
            return 5.0
        facts = dv_phases.Facts(
            pvc_phase=phase_of(pvc), source_ready=self._source_ready(dv), source_fails=self._source_fails(dv)
        )
        step = dv_phases.next_step(
            dv, facts, delay=self._config.phase_delay, rate=self._rate(pvc), now=utcnow()
        )
        if step.status is not None:
            self._write(obj, step.status)
        return step.again

    def _rate(self, pvc: Obj | None) -> float:
        """Percent of the disk copied per second at the simulated bandwidth."""
        size = (((pvc or {}).get("spec") or {}).get("resources") or {}).get("requests", {}).get("storage")
        if not size or parse_quantity(str(size)) <= 0:
            return 1000.0
        return float(parse_quantity(self._config.import_bandwidth) / parse_quantity(str(size)) * 100)

    def _size(self, dv: cdi.DataVolume) -> str | None:
        size = dv.spec.storage.size if dv.spec.storage is not None else None
        source = dv.spec.source
        if size is None and source is not None and source.pvc is not None:
            found = self._pvcs.get(source.pvc.name, source.pvc.namespace)
            capacity = ((found or {}).get("status") or {}).get("capacity") or {}
            size = capacity.get("storage")
        return str(size) if size else None

    def _source_ready(self, dv: cdi.DataVolume) -> bool:
        source = dv.spec.source
        if source is None or source.pvc is None:
            return True
        return phase_of(self._pvcs.get(source.pvc.name, source.pvc.namespace)) == "Bound"

    def _source_fails(self, dv: cdi.DataVolume) -> bool:
        source = dv.spec.source
        if source is None or source.pvc is None:
            return False
        found = self._pvcs.get(source.pvc.name, source.pvc.namespace) or {}
        annotations = (found.get("metadata") or {}).get("annotations") or {}
        return str(annotations.get(CLONE_ANNOTATION, "")).lower() == "fail"

    @staticmethod
    def _failed(message: str) -> dict[str, Any]:
        return {
            "phase": cdi.DataVolumePhase.FAILED.value,
            "progress": "N/A",
            "conditions": [
                {"type": cdi.BOUND, "status": "False", "reason": "Failed", "message": message},
                {"type": cdi.READY, "status": "False"},
                {"type": cdi.RUNNING, "status": "False", "reason": "Error", "message": message},
            ],
        }

    def _write(self, obj: Obj, status: dict[str, Any]) -> None:
        current: dict[str, Any] = obj.get("status") or {}
        if dv_phases.comparable(current) == dv_phases.comparable(status):
            return
        patch_status(
            self._client, DV_RESOURCE, obj, with_times(status, current.get("conditions") or []), self._dvs
        )
        meta = obj.get("metadata") or {}
        log.debug(
            "kubevirt-simulator (CDI): DataVolume %s/%s %s %s",
            meta.get("namespace"),
            meta.get("name"),
            status.get("phase"),
            status.get("progress"),
        )
