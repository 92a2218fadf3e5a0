"""Fake kubelets: registers the simulator's Nodes and keeps every managed Node alive.

A Node is managed when it carries ``kubevirt-simulator.kubenova.io/managed=true``, whoever created
it: the simulator registers ``--nodes`` of them at start, and tests add their own with exact
capacity. For each managed Node the simulator does what kubelet (and virt-handler) would: it
fills in the standard labels and any status a test left out (capacity, addresses, node info),
posts the Ready condition and heartbeats (``lastHeartbeatTime`` plus a Lease in
``kube-node-lease``). The annotation ``kubevirt-simulator.kubenova.io/ready=false`` turns Ready to
False, as a dead kubelet would. Nodes without the label are never watched or written (a Node
whose name the simulator wants to register is only read, to refuse to take it over).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

from kubenova.k8s import Conflict, Informer, Kind, KubeError, NotFound, Transport
from kubenova.k8s import JsonObject as Obj
from kubevirt_simulator.config import SimulatorConfig
from kubevirt_simulator.names import (
    ARCH_LABEL,
    CREATED_BY_ANNOTATION,
    HOSTNAME_LABEL,
    MANAGED_LABEL,
    NOT_READY_TAINT,
    OS_LABEL,
    READY_ANNOTATION,
    SCHEDULABLE_LABEL,
)
from kubevirt_simulator.timeutil import micro_time, rfc3339, seconds_since

log = logging.getLogger(__name__)

NODE_RESOURCE = Kind("", "v1", "nodes", namespaced=False)
LEASE_RESOURCE = Kind("coordination.k8s.io", "v1", "leases", namespaced=True)
LEASE_NAMESPACE = "kube-node-lease"
MANAGED_SELECTOR = f"{MANAGED_LABEL}=true"
KUBELET_VERSION = "v1.36.3"
LEASE_DURATION_SECONDS = 40

_PRESSURE_CONDITIONS = (
    ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
)


def is_marked_not_ready(node: Obj) -> bool:
    annotations = (node.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(READY_ANNOTATION, "")).lower() == "false"


def internal_ip(name: str) -> str:
    """A stable InternalIP for a node, derived from the name: a loopback address (127.31.0.0/16;
    Linux routes all of 127/8 to lo), where the simulator serves the node's kubelet endpoint."""
    value = int.from_bytes(hashlib.sha256(name.encode()).digest()[:2], "big") % 65534 + 1
    return f"127.31.{value // 256}.{value % 256}"


def standard_labels(name: str) -> dict[str, str]:
    return {
        HOSTNAME_LABEL: name,
        OS_LABEL: "linux",
        ARCH_LABEL: "amd64",
        SCHEDULABLE_LABEL: "true",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
    }


def desired_conditions(node: Obj, heartbeat: str) -> list[dict[str, Any]]:
    """The kubelet's four conditions, keeping transition times of conditions that did not change."""
    current = {c.get("type"): c for c in (node.get("status") or {}).get("conditions") or []}
    if is_marked_not_ready(node):
        ready = (
            "False",
            "KubeletNotReady",
            f"kubevirt-simulator: node marked not ready by annotation {READY_ANNOTATION}=false",
        )
    else:
        ready = ("True", "KubeletReady", "kubelet is posting ready status")
    wanted = [(t, "False", r, m) for t, r, m in _PRESSURE_CONDITIONS] + [("Ready", *ready)]
    conditions = []
    for ctype, status, reason, message in wanted:
        previous = current.get(ctype) or {}
        transition = previous.get("lastTransitionTime") if previous.get("status") == status else None
        conditions.append(
            {
                "type": ctype,
                "status": status,
                "reason": reason,
                "message": message,
                "lastHeartbeatTime": heartbeat,
                "lastTransitionTime": transition or heartbeat,
            }
        )
    return conditions


def desired_taints(taints: list[dict[str, Any]], ready: bool) -> list[dict[str, Any]]:
    """``taints`` with the not-ready NoSchedule taint added or removed to match ``ready``."""
    others = [t for t in taints if not (t.get("key") == NOT_READY_TAINT and t.get("effect") == "NoSchedule")]
    if ready:
        return others
    existing = next(
        (t for t in taints if t.get("key") == NOT_READY_TAINT and t.get("effect") == "NoSchedule"), None
    )
    return [*others, existing or {"key": NOT_READY_TAINT, "effect": "NoSchedule", "timeAdded": rfc3339()}]


def _comparable(conditions: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(c.get("type"), c.get("status"), c.get("reason"), c.get("message")) for c in conditions]


class NodeManager:
    def __init__(self, client: Transport, config: SimulatorConfig) -> None:
        self._client = client
        self._config = config
        self.informer: Informer[Obj] | None = None
        self.kubelet_port: Callable[[str], int] | None = None
        """The port of a node's simulated kubelet endpoint (``kubelet_api``)."""
        self.node_gone: Callable[[str], None] | None = None
        self._lease_renewed: dict[str, float] = {}
        """Monotonic time of each Node's last Lease renewal (only one worker handles a Node at once)."""

    def registered_names(self) -> list[str]:
        return [f"{self._config.node_prefix}{i}" for i in range(self._config.nodes)]

    def default_capacity(self) -> dict[str, str]:
        shape = self._config.node_shape
        return {
            "cpu": shape.cpu,
            "memory": shape.memory,
            "ephemeral-storage": shape.ephemeral_storage,
            "pods": shape.pods,
        }

    def register(self) -> None:
        """Create the simulator's own Nodes; an existing managed Node of that name is reused."""
        for name in self.registered_names():
            heartbeat = rfc3339()
            body: Obj = {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": name,
                    "labels": {MANAGED_LABEL: "true", **standard_labels(name)},
                    "annotations": {CREATED_BY_ANNOTATION: "kubevirt-simulator"},
                },
                "spec": {},
                "status": self._status_fill({"metadata": {"name": name}}, heartbeat),
            }
            try:
                self._client.create(NODE_RESOURCE, body)
                log.info("kubevirt-simulator: registered node %s", name)
            except Conflict:
                existing = self._client.get(NODE_RESOURCE, name)
                labels = (existing.get("metadata") or {}).get("labels") or {}
                if labels.get(MANAGED_LABEL) != "true":
                    log.error(
                        "kubevirt-simulator: node %s exists and is not managed by the simulator; "
                        "leaving it alone",
                        name,
                    )
                else:
                    log.info("kubevirt-simulator: node %s already registered, taking it over", name)

    def _status_fill(self, node: Obj, heartbeat: str) -> dict[str, Any]:
        """Status fields a kubelet would report; only the ones missing from ``node`` are returned."""
        name = (node.get("metadata") or {}).get("name", "")
        status = node.get("status") or {}
        fill: dict[str, Any] = {}
        capacity = status.get("capacity") or self.default_capacity()
        if not status.get("capacity"):
            fill["capacity"] = capacity
        if not status.get("allocatable"):
            fill["allocatable"] = capacity
        if not status.get("addresses"):
            fill["addresses"] = [
                {"type": "InternalIP", "address": internal_ip(name)},
                {"type": "Hostname", "address": name},
            ]
        if not (status.get("nodeInfo") or {}).get("kubeletVersion"):
            digest = hashlib.sha256(name.encode()).hexdigest()
            fill["nodeInfo"] = {
                "machineID": digest[:32],
                "systemUUID": f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}",
                "bootID": digest[32:64],
                "kernelVersion": "6.1.0-kubevirt-simulator",
                "osImage": "KubeVirt simulator (kubenova)",
                "containerRuntimeVersion": "kubevirt-simulator://0.1.0",
                "kubeletVersion": KUBELET_VERSION,
                "kubeProxyVersion": "",
                "operatingSystem": "linux",
                "architecture": "amd64",
            }
        port = self.kubelet_port(name) if self.kubelet_port is not None else 10250
        if ((status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {}).get("Port") != port:
            fill["daemonEndpoints"] = {"kubeletEndpoint": {"Port": port}}
        fill["conditions"] = desired_conditions(node, heartbeat)
        return fill

    def reconcile(self, name: str) -> float | None:
        """Bring one managed Node up to date; returns seconds until its next heartbeat."""
        assert self.informer is not None
        node = self.informer.get(name)
        if node is None:
            self._lease_renewed.pop(name, None)
            if self.node_gone is not None:
                self.node_gone(name)
            return None
        interval = self._config.heartbeat_interval
        node = self._sync_metadata_and_taints(node)
        conditions = (node.get("status") or {}).get("conditions") or []
        ready = next((c for c in conditions if c.get("type") == "Ready"), None)
        age = seconds_since((ready or {}).get("lastHeartbeatTime"))
        heartbeat = rfc3339()
        fill = self._status_fill(node, heartbeat)
        next_status = max(interval - (age or 0.0), 0.0)
        changed = set(fill) != {"conditions"} or _comparable(fill["conditions"]) != _comparable(conditions)
        if age is None or next_status <= 0 or changed:
            updated = self._client.merge_patch(NODE_RESOURCE, name, {"status": fill}, subresource="status")
            self.informer.record_write(updated)
            next_status = interval
        next_lease = interval
        if not is_marked_not_ready(node):  # a dead kubelet stops renewing its Lease
            renewed = self._lease_renewed.get(name)
            now = time.monotonic()
            if renewed is None or now - renewed >= interval:
                self._renew_lease(node)
                self._lease_renewed[name] = now
            else:
                next_lease = interval - (now - renewed)
        return max(min(next_status, next_lease), 0.05)

    def _sync_metadata_and_taints(self, node: Obj) -> Obj:
        """Standard labels (kubelet, virt-handler) and the node-lifecycle controller's not-ready taint.

        The API server's TaintNodesByCondition admission taints every new Node
        ``node.kubernetes.io/not-ready:NoSchedule``; kube-controller-manager's node lifecycle
        controller lifts it once the Node is Ready. That controller may not run, so the simulator
        keeps the taint in line with its own Ready condition for the Nodes it manages.
        """
        assert self.informer is not None
        meta = node.get("metadata") or {}
        name = meta.get("name", "")
        labels = meta.get("labels") or {}
        missing = {k: v for k, v in standard_labels(name).items() if k not in labels}
        taints = list((node.get("spec") or {}).get("taints") or [])
        wanted = desired_taints(taints, ready=not is_marked_not_ready(node))
        if not missing and wanted == taints:
            return node
        body: Obj = {"metadata": {"resourceVersion": meta.get("resourceVersion")}}
        if missing:
            body["metadata"]["labels"] = missing
        if wanted != taints:
            body["spec"] = {"taints": wanted or None}
        updated = self._client.merge_patch(NODE_RESOURCE, name, body)
        self.informer.record_write(updated)
        return updated

    def _renew_lease(self, node: Obj) -> None:
        meta = node.get("metadata") or {}
        name = meta.get("name", "")
        spec = {
            "holderIdentity": name,
            "leaseDurationSeconds": LEASE_DURATION_SECONDS,
            "renewTime": micro_time(),
        }
        try:
            self._client.merge_patch(LEASE_RESOURCE, name, {"spec": spec}, LEASE_NAMESPACE)
            return
        except NotFound:
            pass
        except KubeError as exc:
            log.warning("kubevirt-simulator: lease renewal for %s failed: %s", name, exc)
            return
        lease: Obj = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {
                "name": name,
                "namespace": LEASE_NAMESPACE,
                "ownerReferences": [
                    {"apiVersion": "v1", "kind": "Node", "name": name, "uid": meta.get("uid")}
                ],
            },
            "spec": spec,
        }
        try:
            self._client.create(LEASE_RESOURCE, lease, LEASE_NAMESPACE)
        except Conflict:
            pass
        except KubeError as exc:
            log.warning("kubevirt-simulator: lease creation for %s failed: %s", name, exc)
