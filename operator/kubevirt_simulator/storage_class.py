"""The simulated storage's StorageClass, installed on start if missing (simulator).

``kubevirt-simulator``: provisioner ``csi.kubevirt-simulator.kubenova.io`` (the simulated
provisioner), reclaim policy Delete, immediate binding, expansion allowed. It is marked the
cluster's default class only when the cluster has no default class yet, so on a cluster with real
storage the real default stays the default. An existing class of that name is left as it is.
"""

from __future__ import annotations

import logging

from kubenova import k8s
from kubenova.k8s import Conflict, Transport
from kubenova.k8s import JsonObject as Obj
from kubevirt_simulator.names import DEFAULT_CLASS_ANNOTATION, PROVISIONER, SIMULATOR_PREFIX, STORAGE_CLASS

log = logging.getLogger(__name__)


def manifest(*, default: bool) -> Obj:
    annotations = {f"{SIMULATOR_PREFIX}/installed-by": "kubevirt-simulator"}
    if default:
        annotations[DEFAULT_CLASS_ANNOTATION] = "true"
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": STORAGE_CLASS, "annotations": annotations},
        "provisioner": PROVISIONER,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate",
        "allowVolumeExpansion": True,
    }


def is_default(storage_class: Obj) -> bool:
    annotations = (storage_class.get("metadata") or {}).get("annotations") or {}
    return annotations.get(DEFAULT_CLASS_ANNOTATION) == "true"


def ensure_storage_class(client: Transport) -> None:
    """Create the simulated StorageClass unless a class of that name exists."""
    existing = client.list(k8s.STORAGE_CLASSES)
    if any((c.get("metadata") or {}).get("name") == STORAGE_CLASS for c in existing):
        return
    default = not any(is_default(c) for c in existing)
    try:
        client.create(k8s.STORAGE_CLASSES, manifest(default=default))
        log.info("kubevirt-simulator: installed StorageClass %s (default: %s)", STORAGE_CLASS, default)
    except Conflict:
        pass
