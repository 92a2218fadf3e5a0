"""Reading DataVolumes, PVCs and PVs in tests (as JSON, through the official client)."""

from __future__ import annotations

from typing import Any, cast

from kubernetes import client
from kubernetes.client.exceptions import ApiException

CDI_GROUP, CDI_VERSION, DATA_VOLUMES = "cdi.kubevirt.io", "v1beta1", "datavolumes"


class Storage:
    """DataVolume/PVC/PV access in one namespace."""

    def __init__(self, api: client.ApiClient, namespace: str) -> None:
        self.api = api
        self.custom = client.CustomObjectsApi(api)
        self.core = client.CoreV1Api(api)
        self.namespace = namespace

    def _json(self, model: object) -> dict[str, Any]:
        return cast(dict[str, Any], self.api.sanitize_for_serialization(model))  # type: ignore[no-untyped-call]

    def dv(self, name: str) -> dict[str, Any] | None:
        try:
            found = self.custom.get_namespaced_custom_object(
                CDI_GROUP, CDI_VERSION, self.namespace, DATA_VOLUMES, name
            )
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return cast(dict[str, Any], found)

    def create_dv(self, body: dict[str, Any]) -> dict[str, Any]:
        created = self.custom.create_namespaced_custom_object(
            CDI_GROUP, CDI_VERSION, self.namespace, DATA_VOLUMES, body
        )
        return cast(dict[str, Any], created)

    def pvc(self, name: str) -> dict[str, Any] | None:
        try:
            return self._json(self.core.read_namespaced_persistent_volume_claim(name, self.namespace))
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def patch_pvc(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._json(self.core.patch_namespaced_persistent_volume_claim(name, self.namespace, body))

    def pv(self, name: str) -> dict[str, Any] | None:
        try:
            return self._json(self.core.read_persistent_volume(name))
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise


def phase(obj: dict[str, Any] | None) -> str | None:
    return ((obj or {}).get("status") or {}).get("phase")


def controller_uid(obj: dict[str, Any]) -> str | None:
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    return next((r["uid"] for r in refs if r.get("controller")), None)


def uid(obj: dict[str, Any] | None) -> str:
    """The object's uid (it must exist)."""
    assert obj is not None
    return str(obj["metadata"]["uid"])
