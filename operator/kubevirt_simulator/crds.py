"""The KubeVirt (and CDI DataVolume) CustomResourceDefinitions the simulator serves, installed on
start if missing.

Names, scope, short names, categories and printer columns are KubeVirt's own, so ``kubectl get
vm,vmi,vmim`` reads as on a real cluster. The schema preserves unknown fields (real KubeVirt
publishes a full OpenAPI schema; the simulator does not validate specs). Existing CRDs (from a
previous run, or from a real KubeVirt install) are left as they are.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from kubenova import k8s
from kubenova.k8s import Conflict, NotFound, Transport
from kubenova.k8s import JsonObject as Obj
from kubenova.kubevirt import cdi_models as cdi
from kubenova.kubevirt.models import (
    GROUP,
    VERSION,
    VIRTUAL_MACHINE,
    VIRTUAL_MACHINE_INSTANCE,
    VIRTUAL_MACHINE_INSTANCE_MIGRATION,
    Kind,
)
from kubevirt_simulator.names import SIMULATOR_PREFIX

log = logging.getLogger(__name__)

CRD_RESOURCE = k8s.Kind("apiextensions.k8s.io", "v1", "customresourcedefinitions", namespaced=False)
VM_RESOURCE = k8s.Kind(GROUP, VERSION, VIRTUAL_MACHINE.plural, namespaced=True)
VMI_RESOURCE = k8s.Kind(GROUP, VERSION, VIRTUAL_MACHINE_INSTANCE.plural, namespaced=True)
VMIM_RESOURCE = k8s.Kind(GROUP, VERSION, VIRTUAL_MACHINE_INSTANCE_MIGRATION.plural, namespaced=True)
DV_RESOURCE = k8s.DATA_VOLUMES
DATA_VOLUME = Kind(cdi.DATA_VOLUME_KIND, cdi.DATA_VOLUME_PLURAL, "datavolume", ("dv", "dvs"))


def _age() -> dict[str, Any]:
    return {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}


def _condition(name: str, condition: str, priority: int = 0) -> dict[str, Any]:
    column: dict[str, Any] = {
        "name": name,
        "type": "string",
        "jsonPath": f".status.conditions[?(@.type=='{condition}')].status",
    }
    if priority:
        column["priority"] = priority
    return column


PRINTER_COLUMNS: dict[str, list[dict[str, Any]]] = {
    VIRTUAL_MACHINE.kind: [
        _age(),
        {
            "name": "Status",
            "type": "string",
            "jsonPath": ".status.printableStatus",
            "description": "Human Readable Status",
        },
        _condition("Ready", "Ready"),
    ],
    VIRTUAL_MACHINE_INSTANCE.kind: [
        _age(),
        {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
        {"name": "IP", "type": "string", "jsonPath": ".status.interfaces[0].ipAddress"},
        {"name": "NodeName", "type": "string", "jsonPath": ".status.nodeName"},
        _condition("Ready", "Ready"),
        _condition("Live-Migratable", "LiveMigratable", priority=1),
        _condition("Paused", "Paused", priority=1),
    ],
    VIRTUAL_MACHINE_INSTANCE_MIGRATION.kind: [
        {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
        {"name": "VMI", "type": "string", "jsonPath": ".spec.vmiName"},
    ],
    DATA_VOLUME.kind: [  # CDI's own columns
        {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
        {"name": "Progress", "type": "string", "jsonPath": ".status.progress"},
        {"name": "Restarts", "type": "integer", "jsonPath": ".status.restartCount"},
        _age(),
    ],
}


def crd_manifest(kind: Kind, group: str = GROUP, version: str = VERSION) -> Obj:
    labels = {"kubevirt.io": ""} if group == GROUP else {"cdi.kubevirt.io": ""}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": f"{kind.plural}.{group}",
            "labels": labels,
            "annotations": {f"{SIMULATOR_PREFIX}/installed-by": "kubevirt-simulator"},
        },
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {
                "kind": kind.kind,
                "listKind": f"{kind.kind}List",
                "plural": kind.plural,
                "singular": kind.singular,
                "shortNames": list(kind.short_names),
                "categories": ["all"],
            },
            "versions": [
                {
                    "name": version,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": PRINTER_COLUMNS[kind.kind],
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }


MANIFESTS = [
    *(
        crd_manifest(k)
        for k in (VIRTUAL_MACHINE, VIRTUAL_MACHINE_INSTANCE, VIRTUAL_MACHINE_INSTANCE_MIGRATION)
    ),
    crd_manifest(DATA_VOLUME, cdi.CDI_GROUP, cdi.CDI_VERSION),
]


def _established(crd: Obj) -> bool:
    return any(
        c.get("type") == "Established" and c.get("status") == "True"
        for c in (crd.get("status") or {}).get("conditions") or []
    )


def _create_missing(client: Transport) -> None:
    for manifest in MANIFESTS:
        name = manifest["metadata"]["name"]
        try:
            client.create(CRD_RESOURCE, manifest)
            log.info("kubevirt-simulator: installed CRD %s", name)
        except Conflict:
            log.info("kubevirt-simulator: CRD %s already present, leaving it as is", name)


def _served(client: Transport, resource: k8s.Kind) -> bool:
    try:
        client.collection(resource)
    except NotFound:
        return False
    return True


def ensure_crds(client: Transport, stop: threading.Event, timeout: float = 60.0) -> None:
    """Create the missing CRDs and wait until all are Established and their endpoints answer."""
    _create_missing(client)
    deadline = time.monotonic() + timeout
    names = [m["metadata"]["name"] for m in MANIFESTS]
    resources = [VM_RESOURCE, VMI_RESOURCE, VMIM_RESOURCE, DV_RESOURCE]
    while not stop.is_set():
        names = [n for n in names if not _established(client.get(CRD_RESOURCE, n))]
        # Established can precede the REST endpoint by a moment; make sure lists work too.
        if not names:
            resources = [r for r in resources if not _served(client, r)]
        if not names and not resources:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"KubeVirt CRDs not ready after {timeout}s: {names or resources}")
        stop.wait(0.1)
