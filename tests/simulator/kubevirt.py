"""Helpers for simulator tests: KubeVirt objects through the official client, as the operator sees them."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any, cast

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.support.wait import wait_for

GROUP, VERSION = "kubevirt.io", "v1"
IP_CIDR = ipaddress.IPv4Network("10.244.0.0/16")


def vm_manifest(
    name: str,
    *,
    run_strategy: str | None = "Always",
    running: bool | None = None,
    nodes: list[str] | None = None,
    node_selector: dict[str, str] | None = None,
    tolerations: list[dict[str, str]] | None = None,
    memory: str = "1Gi",
    cores: int = 1,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    binding: str = "masquerade",
) -> dict[str, Any]:
    """A small VM; ``nodes`` pins it (required node affinity on the hostname) to those Nodes."""
    template_spec: dict[str, Any] = {
        "domain": {
            "cpu": {"cores": cores},
            "memory": {"guest": memory},
            "devices": {
                "disks": [{"name": "root", "disk": {"bus": "virtio"}}],
                "interfaces": [{"name": "default", binding: {}}],
            },
        },
        "networks": [{"name": "default", "pod": {}}],
        "volumes": [{"name": "root", "containerDisk": {"image": "quay.io/containerdisks/cirros:0.6"}}],
        "terminationGracePeriodSeconds": 0,
    }
    if nodes:
        template_spec["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": "kubernetes.io/hostname", "operator": "In", "values": nodes}
                            ]
                        }
                    ]
                }
            }
        }
    if node_selector:
        template_spec["nodeSelector"] = node_selector
    if tolerations:
        template_spec["tolerations"] = tolerations
    spec: dict[str, Any] = {
        "template": {
            "metadata": {"labels": dict(labels or {}), "annotations": dict(annotations or {})},
            "spec": template_spec,
        }
    }
    if run_strategy is not None:
        spec["runStrategy"] = run_strategy
    if running is not None:
        spec["running"] = running
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "VirtualMachine",
        "metadata": {"name": name},
        "spec": spec,
    }


class KubeVirt:
    """VM/VMI/VMIM access in one namespace."""

    def __init__(self, api: client.ApiClient, namespace: str) -> None:
        self.custom = client.CustomObjectsApi(api)
        self.core = client.CoreV1Api(api)
        self.namespace = namespace

    def create(self, plural: str, body: dict[str, Any]) -> dict[str, Any]:
        result = self.custom.create_namespaced_custom_object(GROUP, VERSION, self.namespace, plural, body)
        return cast(dict[str, Any], result)

    def create_vm(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.create("virtualmachines", body)

    def get(self, plural: str, name: str) -> dict[str, Any] | None:
        try:
            result = self.custom.get_namespaced_custom_object(GROUP, VERSION, self.namespace, plural, name)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return cast(dict[str, Any], result)

    def vm(self, name: str) -> dict[str, Any] | None:
        return self.get("virtualmachines", name)

    def vmi(self, name: str) -> dict[str, Any] | None:
        return self.get("virtualmachineinstances", name)

    def patch(self, plural: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        result = self.custom.patch_namespaced_custom_object(
            GROUP, VERSION, self.namespace, plural, name, body
        )
        return cast(dict[str, Any], result)

    def patch_status(self, plural: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        result = self.custom.patch_namespaced_custom_object_status(
            GROUP, VERSION, self.namespace, plural, name, body
        )
        return cast(dict[str, Any], result)

    def delete(self, plural: str, name: str) -> None:
        self.custom.delete_namespaced_custom_object(GROUP, VERSION, self.namespace, plural, name)

    def wait_vm_status(
        self, name: str, printable: str, timeout: float = 15, interval: float = 0.2
    ) -> dict[str, Any]:
        def check() -> dict[str, Any] | None:
            vm = self.vm(name)
            return vm if ((vm or {}).get("status") or {}).get("printableStatus") == printable else None

        return wait_object(
            check, timeout=timeout, interval=interval, message=f"VM {name} printableStatus {printable}"
        )

    def wait_vmi_phase(self, name: str, phase: str, timeout: float = 15) -> dict[str, Any]:
        def check() -> dict[str, Any] | None:
            vmi = self.vmi(name)
            return vmi if ((vmi or {}).get("status") or {}).get("phase") == phase else None

        return wait_object(check, timeout=timeout, message=f"VMI {name} phase {phase}")

    def node(self, name: str) -> dict[str, Any]:
        return node_json(self.core, name)

    def wait_gone(self, plural: str, name: str, timeout: float = 15) -> None:
        wait_for(lambda: self.get(plural, name) is None, timeout=timeout, message=f"{plural}/{name} deleted")


def as_json(api: client.ApiClient, model: object) -> dict[str, Any]:
    """A typed client model as plain JSON (the models make every field optional)."""
    return cast(dict[str, Any], api.sanitize_for_serialization(model))  # type: ignore[no-untyped-call]


def node_json(core: client.CoreV1Api, name: str) -> dict[str, Any]:
    return as_json(core.api_client, core.read_node(name))


def has_taint(node: dict[str, Any], key: str) -> bool:
    return any(t.get("key") == key for t in (node.get("spec") or {}).get("taints") or [])


def wait_object(
    predicate: Callable[[], dict[str, Any] | None], *, timeout: float, message: str, interval: float = 0.2
) -> dict[str, Any]:
    """``wait_for`` for predicates that return the object once it is as expected."""
    found = wait_for(predicate, timeout=timeout, interval=interval, message=message)
    assert found is not None
    return found


def find_condition(obj: dict[str, Any], ctype: str) -> dict[str, Any] | None:
    for item in (obj.get("status") or {}).get("conditions") or []:
        if item.get("type") == ctype:
            return cast(dict[str, Any], item)
    return None


def condition(obj: dict[str, Any], ctype: str) -> dict[str, Any]:
    """The condition of that type; the test fails if there is none."""
    found = find_condition(obj, ctype)
    assert found is not None, f"no {ctype} condition in {obj.get('status')}"
    return found


def vmi_address(vmi: dict[str, Any]) -> str:
    return cast(str, vmi["status"]["interfaces"][0]["ipAddress"])
