"""Builders for operator test data: CR models with sensible defaults and overrides."""

from __future__ import annotations

import base64
from typing import Any

from kubenova.kubevirt import models
from kubenova.resources.flavor import Flavor
from kubenova.resources.image import Image
from kubenova.resources.keypair import Keypair
from kubenova.resources.server import EmbeddedFlavor, Server

SERVER_UID = "5f0c3f5e-0000-4000-8000-000000000001"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKqqD0+IMgXXsK01IKiH1HqMGx+2ezMKAnGvnakhBjnT test@kubenova"


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def server(
    *, spec: dict[str, Any] | None = None, status: dict[str, Any] | None = None, **meta: Any
) -> Server:
    """Server ``web-1`` in ``demo`` (m1.tiny, cirros), with spec/status/metadata overrides."""
    body = {
        "apiVersion": "compute.kubenova.io/v1alpha1",
        "kind": "Server",
        "metadata": _merge(
            {
                "name": "web-1",
                "namespace": "demo",
                "uid": SERVER_UID,
                "resourceVersion": "7",
                "creationTimestamp": "2026-01-01T00:00:00Z",
                "generation": 1,
            },
            meta,
        ),
        "spec": _merge({"flavor": "m1.tiny", "image": "cirros"}, spec or {}),
        "status": status or {},
    }
    return Server.model_validate(body)


def text_user_data(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def flavor(object_name: str = "m1.tiny", **spec: Any) -> Flavor:
    return Flavor.model_validate(
        {
            "metadata": {"name": object_name},
            "spec": _merge({"id": "1", "vcpus": 1, "ram": 512, "disk": 1}, spec),
        }
    )


def embedded(**overrides: Any) -> EmbeddedFlavor:
    return EmbeddedFlavor.model_validate(
        _merge({"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1}, overrides)
    )


def image(name: str = "cirros", **spec: Any) -> Image:
    return Image.model_validate(
        {
            "metadata": {"name": name, "uid": "11111111-2222-3333-4444-555555555555"},
            "spec": _merge({"containerDisk": {"image": "quay.io/kubevirt/cirros-container-disk-demo"}}, spec),
        }
    )


def keypair(name: str = "demo-key", *, user_id: str | None = None, key: str = KEY, **spec: Any) -> Keypair:
    return Keypair.model_validate(
        {"metadata": {"name": name}, "spec": {"publicKey": key, "userId": user_id, **spec}}
    )


def vm(*, run_strategy: str = "Always", owner: str = SERVER_UID, **status: Any) -> models.VirtualMachine:
    return models.VirtualMachine.model_validate(
        {
            "metadata": {
                "name": "web-1",
                "namespace": "demo",
                "annotations": {"compute.kubenova.io/server-uid": owner},
            },
            "spec": {"runStrategy": run_strategy},
            "status": status,
        }
    )


def vmi(
    phase: str = "Running",
    *,
    uid: str = "vmi-1",
    ips: tuple[str, ...] = ("10.244.0.5",),
    mac: str = "02:00:00:00:00:05",
    deleting: bool = False,
    reason: str | None = None,
) -> models.VirtualMachineInstance:
    metadata: dict[str, Any] = {"name": "web-1", "namespace": "demo", "uid": uid}
    if deleting:
        metadata["deletionTimestamp"] = "2026-01-01T00:05:00Z"
    interfaces = (
        [{"name": "default", "ipAddress": ips[0], "ipAddresses": list(ips), "mac": mac}] if ips else []
    )
    return models.VirtualMachineInstance.model_validate(
        {"metadata": metadata, "status": {"phase": phase, "interfaces": interfaces, "reason": reason}}
    )
