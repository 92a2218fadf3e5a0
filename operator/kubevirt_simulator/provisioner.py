"""The simulated storage (simulator): an external CSI provisioner, resizer and deleter for the
``kubevirt-simulator`` StorageClass (``storage_class``); no data is stored anywhere.

- Provisioning: a PVC of a class with this provisioner gets a PV ``pvc-<claim uid>`` of the
  requested size, pre-bound to it (``claimRef``), as external-provisioner creates them; the
  PersistentVolume controller of kube-controller-manager binds the two, as on a real cluster.
- Expansion: a bound PVC whose request grew beyond its PV, on a class with
  ``allowVolumeExpansion``, grows the PV and then the PVC's ``status.capacity`` (what
  external-resizer does for a driver that resizes online). The API server refuses shrinking, and
  growing on a class without expansion.
- Deletion: a PV of this provisioner that its claim released, with reclaim policy Delete, is
  deleted (the volume "freed"), as external-provisioner does.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from kubenova import k8s
from kubenova.k8s import Conflict, Informer, NotFound, Transport
from kubenova.k8s import JsonObject as Obj
from kubenova.quantities import parse_quantity
from kubevirt_simulator.names import PROVISIONED_BY_ANNOTATION, PROVISIONER
from kubevirt_simulator.writes import patch_status

log = logging.getLogger(__name__)


def volume_name(pvc: Obj) -> str:
    return f"pvc-{(pvc.get('metadata') or {}).get('uid')}"


def pv_manifest(pvc: Obj, storage_class: Obj) -> Obj:
    """The PV the provisioner creates for ``pvc``: its size, modes and class, bound to it."""
    meta = pvc.get("metadata") or {}
    spec = pvc.get("spec") or {}
    name = volume_name(pvc)
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name, "annotations": {PROVISIONED_BY_ANNOTATION: PROVISIONER}},
        "spec": {
            "capacity": {"storage": ((spec.get("resources") or {}).get("requests") or {}).get("storage")},
            "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
            "volumeMode": spec.get("volumeMode") or "Filesystem",
            "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy") or "Delete",
            "storageClassName": spec.get("storageClassName"),
            "claimRef": {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "namespace": meta.get("namespace"),
                "name": meta.get("name"),
                "uid": meta.get("uid"),
            },
            "csi": {"driver": PROVISIONER, "volumeHandle": name},
        },
    }


def _storage(obj: Obj, *path: str) -> str | None:
    node: Any = obj
    for key in path:
        node = (node or {}).get(key)
    return str(node) if node else None


def grown(requested: str | None, current: str | None) -> bool:
    """Whether ``requested`` is more than ``current`` (never a shrink)."""
    if requested is None or current is None:
        return False
    return parse_quantity(requested) > parse_quantity(current)


class Provisioner:
    def __init__(
        self, client: Transport, pvcs: Informer[Obj], pvs: Informer[Obj], classes: Informer[Obj]
    ) -> None:
        self._client = client
        self._pvcs = pvcs
        self._pvs = pvs
        self._classes = classes

    def _class_of(self, pvc: Obj) -> Obj | None:
        name = (pvc.get("spec") or {}).get("storageClassName")
        found = self._classes.get(str(name)) if name else None
        return found if found is not None and found.get("provisioner") == PROVISIONER else None

    def reconcile_claim(self, namespace: str, name: str) -> float | None:
        pvc = self._pvcs.get(name, namespace)
        if pvc is None or (pvc.get("metadata") or {}).get("deletionTimestamp"):
            return None
        storage_class = self._class_of(pvc)
        if storage_class is None:
            return None  # not ours (another provisioner's, or no class)
        bound_to = (pvc.get("spec") or {}).get("volumeName")
        if not bound_to:
            if self._pvs.get(volume_name(pvc)) is None:
                with contextlib.suppress(Conflict):
                    self._pvs.record_write(
                        self._client.create(k8s.PERSISTENT_VOLUMES, pv_manifest(pvc, storage_class))
                    )
                    log.info(
                        "kubevirt-simulator (storage): provisioned %s for PVC %s/%s",
                        volume_name(pvc),
                        namespace,
                        name,
                    )
            return None  # the PV controller binds them; that PVC change brings us back
        pv = self._pvs.get(str(bound_to))
        if pv is None or (pvc.get("status") or {}).get("phase") != "Bound":
            return None
        return self._expand(pvc, pv, storage_class)

    def _expand(self, pvc: Obj, pv: Obj, storage_class: Obj) -> float | None:
        requested = _storage(pvc, "spec", "resources", "requests", "storage")
        size = _storage(pv, "spec", "capacity", "storage")
        if grown(requested, size) and storage_class.get("allowVolumeExpansion"):
            meta = pv.get("metadata") or {}
            patch = {
                "metadata": {"resourceVersion": meta.get("resourceVersion")},
                "spec": {"capacity": {"storage": requested}},
            }
            pv = (
                self._pvs.record_write(
                    self._client.merge_patch(k8s.PERSISTENT_VOLUMES, str(meta.get("name")), patch)
                )
                or pv
            )
            size = requested
            log.info("kubevirt-simulator (storage): expanded %s to %s", meta.get("name"), requested)
        if grown(size, _storage(pvc, "status", "capacity", "storage")):
            patch_status(
                self._client, k8s.PERSISTENT_VOLUME_CLAIMS, pvc, {"capacity": {"storage": size}}, self._pvcs
            )
        return None

    def reconcile_volume(self, _namespace: str, name: str) -> float | None:
        pv = self._pvs.get(name)
        if pv is None:
            return None
        meta = pv.get("metadata") or {}
        if (meta.get("annotations") or {}).get(PROVISIONED_BY_ANNOTATION) != PROVISIONER or meta.get(
            "deletionTimestamp"
        ):
            return None
        spec = pv.get("spec") or {}
        if (pv.get("status") or {}).get("phase") != "Released" or spec.get(
            "persistentVolumeReclaimPolicy"
        ) != "Delete":
            return None
        with contextlib.suppress(NotFound, Conflict):
            self._client.delete(k8s.PERSISTENT_VOLUMES, name, uid=meta.get("uid"))
            log.info("kubevirt-simulator (storage): deleted %s, released by its claim", name)
        return None
