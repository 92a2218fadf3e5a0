"""Where a kind lives in the REST API, and the kinds kubenova's processes use most."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

ObjectKey = tuple[str, str]
"""(namespace, name); namespace is "" for cluster-scoped objects."""


@dataclass(frozen=True)
class Kind:
    """Where a kind lives in the REST API."""

    group: str
    version: str
    plural: str
    namespaced: bool

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(
        self, namespace: str | None = None, name: str | None = None, subresource: str | None = None
    ) -> str:
        """The collection (all namespaces when ``namespace`` is None), an object, or its subresource."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        parts = [base]
        if self.namespaced and namespace is not None:
            parts.append(f"namespaces/{quote(namespace, safe='')}")
        parts.append(self.plural)
        if name is not None:
            parts.append(quote(name, safe=""))
            if subresource:
                parts.append(subresource)
        return "/".join(parts)


def object_key(obj: dict[str, Any]) -> ObjectKey:
    """(namespace or "", name) of an object."""
    meta = obj.get("metadata") or {}
    return (str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def resource_version(obj: dict[str, Any]) -> str:
    """An object's resourceVersion ("" when it has none)."""
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")


NAMESPACES = Kind("", "v1", "namespaces", namespaced=False)
NODES = Kind("", "v1", "nodes", namespaced=False)
SECRETS = Kind("", "v1", "secrets", namespaced=True)
PODS = Kind("", "v1", "pods", namespaced=True)
CONFIG_MAPS = Kind("", "v1", "configmaps", namespaced=True)
EVENTS = Kind("", "v1", "events", namespaced=True)
SERVERS = Kind("compute.kubenova.io", "v1alpha1", "servers", namespaced=True)
FLAVORS = Kind("compute.kubenova.io", "v1alpha1", "flavors", namespaced=False)
IMAGES = Kind("compute.kubenova.io", "v1alpha1", "images", namespaced=False)
SERVER_GROUPS = Kind("compute.kubenova.io", "v1alpha1", "servergroups", namespaced=True)
SERVER_RECORDS = Kind("compute.kubenova.io", "v1alpha1", "serverrecords", namespaced=True)
MIGRATIONS = Kind("compute.kubenova.io", "v1alpha1", "migrations", namespaced=True)
KEYPAIRS = Kind("compute.kubenova.io", "v1alpha1", "keypairs", namespaced=False)
AGGREGATES = Kind("compute.kubenova.io", "v1alpha1", "aggregates", namespaced=False)
VIRTUAL_MACHINES = Kind("kubevirt.io", "v1", "virtualmachines", namespaced=True)
VIRTUAL_MACHINE_INSTANCES = Kind("kubevirt.io", "v1", "virtualmachineinstances", namespaced=True)
VMI_SUBRESOURCES = Kind("subresources.kubevirt.io", "v1", "virtualmachineinstances", namespaced=True)
"""KubeVirt's virt-api actions on a VMI (pause, unpause, softreboot)."""
VIRTUAL_MACHINE_INSTANCE_MIGRATIONS = Kind(
    "kubevirt.io", "v1", "virtualmachineinstancemigrations", namespaced=True
)
DATA_VOLUMES = Kind("cdi.kubevirt.io", "v1beta1", "datavolumes", namespaced=True)
PERSISTENT_VOLUME_CLAIMS = Kind("", "v1", "persistentvolumeclaims", namespaced=True)
PERSISTENT_VOLUMES = Kind("", "v1", "persistentvolumes", namespaced=False)
STORAGE_CLASSES = Kind("storage.k8s.io", "v1", "storageclasses", namespaced=False)
