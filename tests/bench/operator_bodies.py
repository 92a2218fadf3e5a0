"""The objects one ACTIVE server puts in the operator's watches, as the API server sends them.

For ``--only operator-memory`` (``operator_memory.py``): a Server as the gateway creates it and the
operator fills its status (``server_list``'s realistic Server), its VirtualMachine as the
operator's builder writes it with the status the KubeVirt simulator's virt-controller gives a
running VM, the VMI the simulator creates from the VM's template with a Running status, and the
root DataVolume the simulator creates from the VM's ``dataVolumeTemplates`` with CDI's Succeeded
status. Every object also carries what the API server adds: uid, resourceVersion, generation,
creationTimestamp and ``managedFields`` (one entry per writer: the fields it set, in the API
server's FieldsV1 form), because watch events carry them and kopf hands them to index functions.
Bodies are returned as JSON text: decoding each one makes its own strings, as a watch stream does.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from kubenova.kubevirt import builder, models
from kubenova.kubevirt import cdi_models as cdi
from kubenova.resources.image import Image
from kubenova.resources.server import Server
from kubevirt_simulator.vm_controller import vmi_manifest
from kubevirt_simulator.vm_volumes import data_volume_manifest
from tests.bench import server_list

KINDS = ("server", "vm", "vmi", "dv")
_IMAGE = Image.model_validate(server_list._others()["images"][0])


def _fields(value: Any) -> dict[str, Any]:
    """``value`` as a FieldsV1 set: every field path, list items keyed by name/type."""
    if isinstance(value, dict):
        return {f"f:{key}": _fields(item) for key, item in value.items()}
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        out: dict[str, Any] = {}
        for item in value:
            key = next((k for k in ("name", "type", "action") if k in item), None)
            if key is None:
                return {}  # an atomic list: the field alone
            out[f'k:{{"{key}":{json.dumps(item[key])}}}'] = {".": {}, **_fields(item)}
        return out
    if isinstance(value, list):
        return {f"v:{json.dumps(item)}": {} for item in value if isinstance(item, str)}
    return {}


_Writer = tuple[str, dict[str, Any]]
"""A field manager and the fields it set (``status`` alone: through the status subresource)."""


def _managed(body: dict[str, Any], at: str, writers: list[_Writer]) -> list[dict[str, Any]]:
    out = []
    for manager, fields in writers:
        entry = {
            "manager": manager,
            "operation": "Update",
            "apiVersion": body["apiVersion"],
            "time": at,
            "fieldsType": "FieldsV1",
            "fieldsV1": _fields(fields),
        }
        out.append({**entry, "subresource": "status"} if set(fields) == {"status"} else entry)
    return out


def _stored(body: dict[str, Any], index: int, uid: str, at: str, writers: list[_Writer]) -> dict[str, Any]:
    """``body`` as the API server keeps it: with its identity, version and field managers."""
    meta = body["metadata"]
    meta.update(uid=uid, resourceVersion=str(200000 + index), generation=meta.get("generation", 1))
    meta.setdefault("creationTimestamp", at)
    meta["managedFields"] = _managed(body, at, writers)
    return body


def _created_by(manager: str, body: dict[str, Any]) -> _Writer:
    return manager, {"metadata": body["metadata"], "spec": body["spec"]}


def _finalizers_by(manager: str, body: dict[str, Any]) -> _Writer:
    return manager, {"metadata": {"finalizers": body["metadata"]["finalizers"]}}


def _status_by(manager: str, body: dict[str, Any]) -> _Writer:
    return manager, {"status": body["status"]}


def _condition(kind: str, at: str | None, **more: Any) -> dict[str, Any]:
    return {"type": kind, "status": "True", **more, "lastProbeTime": None, "lastTransitionTime": at}


def server_body(index: int) -> dict[str, Any]:
    body = server_list._server(index, server_list.NAMESPACE)
    at, meta = body["metadata"]["creationTimestamp"], body["metadata"]
    writers = [
        ("kubenova-api", {"metadata": {"annotations": meta["annotations"]}, "spec": body["spec"]}),
        _finalizers_by("kubenova-operator", body),
        _status_by("kubenova-operator", body),
    ]
    return _stored(body, index, meta["uid"], at, writers)


def vm_body(server: Server, index: int) -> dict[str, Any]:
    host = server.status.host or "node-0"
    flavor = server.status.flavor
    assert flavor is not None
    plan = builder.build(server=server, flavor=flavor, image=_IMAGE, keypair=None, host=host)
    body = plan.vm.to_api()
    at = server.metadata.creation_timestamp or ""
    body["metadata"]["finalizers"] = ["kubevirt.io/virtualMachineControllerFinalize"]
    body["status"] = {
        "printableStatus": models.PrintableStatus.RUNNING.value,
        "created": True,
        "ready": True,
        "runStrategy": "Always",
        "desiredGeneration": 1,
        "observedGeneration": 1,
        "volumeSnapshotStatuses": [
            {"name": "rootdisk", "enabled": False, "reason": "No VolumeSnapshotClass"}
        ],
        "conditions": [_condition(kind, at) for kind in ("Ready", "LiveMigratable", "StorageLiveMigratable")],
    }
    writers = [
        _created_by("kubenova-operator", body),
        _finalizers_by("virt-controller", body),
        _status_by("virt-controller", body),
    ]
    return _stored(body, index, f"10000000-0000-4000-8000-{index:012d}", at, writers)


def vmi_body(vm: dict[str, Any], index: int, host: str) -> dict[str, Any]:
    body = vmi_manifest(copy.deepcopy(vm))
    at, name = vm["metadata"]["creationTimestamp"], vm["metadata"]["name"]
    body["metadata"]["labels"]["kubevirt.io/nodeName"] = host
    body["status"] = {
        "phase": "Running",
        "nodeName": host,
        "qosClass": "Burstable",
        "migrationMethod": "LiveMigration",
        "launcherContainerImageVersion": "quay.io/kubevirt/virt-launcher:v1.6.0",
        "activePods": {f"30000000-0000-4000-8000-{index:012d}": host},
        "guestOSInfo": {},
        "interfaces": [
            {
                "name": "default",
                "ipAddress": f"10.244.{index // 250 % 256}.{index % 250 + 2}",
                "ipAddresses": [f"10.244.{index // 250 % 256}.{index % 250 + 2}"],
                "mac": f"fa:16:3e:00:{index // 256 % 256:02x}:{index % 256:02x}",
                "interfaceName": "eth0",
                "infoSource": "domain, guest-agent",
            }
        ],
        "conditions": [
            _condition("Ready", at),
            _condition("LiveMigratable", None),
            _condition("AgentConnected", at),
        ],
        "phaseTransitionTimestamps": [
            {"phase": phase, "phaseTransitionTimestamp": at}
            for phase in ("Pending", "Scheduling", "Scheduled", "Running")
        ],
        "volumeStatus": [
            {"name": "rootdisk", "target": "vda", "persistentVolumeClaimInfo": {"claimName": f"{name}-root"}},
            {"name": "cloudinitdisk", "target": "vdb", "size": 1048576},
        ],
    }
    writers = [_created_by("virt-controller", body), _status_by("virt-handler", body)]
    return _stored(body, index, f"20000000-0000-4000-8000-{index:012d}", at, writers)


def dv_bodies(vm: dict[str, Any], index: int) -> list[dict[str, Any]]:
    at = vm["metadata"]["creationTimestamp"]
    out = []
    for n, template in enumerate(models.VirtualMachine.model_validate(vm).spec.data_volume_templates):
        body = data_volume_manifest(vm, template)
        body["status"] = {
            "phase": cdi.DataVolumePhase.SUCCEEDED.value,
            "progress": "100.0%",
            "claimName": body["metadata"]["name"],
            "restartCount": 0,
            "conditions": [
                {**_condition(kind, at, reason=reason, message=message), "lastHeartbeatTime": at}
                for kind, reason, message in (
                    ("Bound", "Bound", f"PVC {body['metadata']['name']} Bound"),
                    ("Ready", "Completed", ""),
                    ("Running", "Completed", "Import Complete"),
                )
            ],
        }
        writers = [_created_by("virt-controller", body), _status_by("cdi-controller", body)]
        out.append(_stored(body, index * 8 + n, f"40000000-0000-4000-8000-{index * 8 + n:012d}", at, writers))
    return out


def server_texts(index: int) -> dict[str, list[str]]:
    """One server's objects by kind (``KINDS``), each as the JSON text of a watch event's object."""
    server = server_body(index)
    parsed = Server.model_validate(server)
    vm = vm_body(parsed, index)
    vmi = vmi_body(vm, index, parsed.status.host or "node-0")
    return {
        "server": [json.dumps(server)],
        "vm": [json.dumps(vm)],
        "vmi": [json.dumps(vmi)],
        "dv": [json.dumps(dv) for dv in dv_bodies(vm, index)],
    }
