"""Kubernetes Nodes as Nova compute hosts: one Node is one host, one hypervisor and one
``nova-compute`` service.

What the Nova API shows, and where it lives on the Node:

- **capacity** (hypervisor ``vcpus``/``memory_mb``/``local_gb``): ``status.allocatable`` (over
  ``status.capacity``) ``cpu``/``memory``/``ephemeral-storage``, as the operator's scheduler reads it;
- **state** up/down: the ``Ready`` condition, unless the host is *forced down*;
- **status** enabled/disabled: ``spec.unschedulable`` (``kubectl cordon``), the scheduler's
  disabled service; the reason given through the API is the ``DISABLED_REASON_ANNOTATION``;
- **forced down** (Nova's ``forced_down``): the ``FORCED_DOWN_TAINT`` taint with effect
  ``NoSchedule``. The operator's scheduler skips Nodes with NoSchedule taints and KubeVirt pods
  will not land there; running VMs are left alone (a ``NoExecute`` or
  ``node.kubernetes.io/out-of-service`` taint would evict them, which is the fencing step of an
  evacuation and stays a deliberate ``kubectl`` action);
- **heartbeat** (``updated_at``): the Ready condition's ``lastHeartbeatTime``;
- **ids**: the Node's ``metadata.uid`` is the hypervisor id and the service id from 2.53; older
  microversions get a stable integer derived from it (``legacy_id``).

Every Node is a compute host unless a label selector narrows them (``compute_node_selector``,
which must then equal the operator's ``KUBENOVA_COMPUTE_NODE_SELECTOR``).

Writes are merge patches of the fields above only. The taint list is one JSON array shared with
the kubelet and other controllers, so changing it is a read-modify-write guarded by the Node's
``resourceVersion`` and retried on conflict.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kubenova import k8s, quantities
from kubenova.domain import names
from kubenova_api.store.kube import Informer, call

log = logging.getLogger(__name__)

DISABLED_REASON_ANNOTATION = names.DISABLED_REASON_ANNOTATION
FORCED_DOWN_TAINT = names.FORCED_DOWN_TAINT


def legacy_id(uid: str) -> int:
    """The integer id shown below microversion 2.53: a stable 31-bit number from the Node uid."""
    return zlib.crc32(uid.encode()) & 0x7FFFFFFF


@dataclass(frozen=True)
class ComputeNode:
    """What the Nova API needs to know about one Node."""

    name: str
    uid: str
    resource_version: str
    labels: dict[str, str]
    annotations: dict[str, str]
    unschedulable: bool
    forced_down: bool
    ready: bool
    heartbeat: str | None
    host_ip: str | None
    vcpus: int
    memory_mb: int
    local_gb: int
    kubelet_version: str
    architecture: str
    taints: list[dict[str, Any]] = field(default_factory=list)

    @property
    def legacy_id(self) -> int:
        return legacy_id(self.uid)

    @property
    def is_up(self) -> bool:
        """Nova's ``service_is_up``: heartbeating (Ready) and not forced down."""
        return self.ready and not self.forced_down

    @property
    def disabled(self) -> bool:
        return self.unschedulable

    @property
    def disabled_reason(self) -> str | None:
        return self.annotations.get(DISABLED_REASON_ANNOTATION) if self.unschedulable else None


def parse_node(obj: dict[str, Any]) -> ComputeNode:
    """A raw Node object as a ``ComputeNode`` (used by the informer)."""
    metadata = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    resources = {**(status.get("capacity") or {}), **(status.get("allocatable") or {})}
    conditions = status.get("conditions") or []
    ready = next((c for c in conditions if c.get("type") == "Ready"), None) or {}
    addresses = status.get("addresses") or []
    internal = [a.get("address") for a in addresses if a.get("type") == "InternalIP" and a.get("address")]
    any_address = [a.get("address") for a in addresses if a.get("address")]
    taints = list(spec.get("taints") or [])
    node_info = status.get("nodeInfo") or {}
    return ComputeNode(
        name=str(metadata.get("name") or ""),
        uid=str(metadata.get("uid") or ""),
        resource_version=str(metadata.get("resourceVersion") or ""),
        labels=dict(metadata.get("labels") or {}),
        annotations=dict(metadata.get("annotations") or {}),
        unschedulable=bool(spec.get("unschedulable", False)),
        forced_down=any(t.get("key") == FORCED_DOWN_TAINT for t in taints),
        ready=ready.get("status") == "True",
        heartbeat=ready.get("lastHeartbeatTime"),
        host_ip=(internal or any_address or [None])[0],
        vcpus=quantities.or_default(resources.get("cpu"), quantities.whole_cores, 0),
        memory_mb=quantities.or_default(resources.get("memory"), quantities.parse_mib, 0),
        local_gb=quantities.or_default(resources.get("ephemeral-storage"), quantities.parse_gib, 0),
        kubelet_version=str(node_info.get("kubeletVersion") or ""),
        architecture=str(node_info.get("architecture") or ""),
        taints=taints,
    )


def _with_forced_down(taints: list[dict[str, Any]], forced_down: bool) -> list[dict[str, Any]]:
    others = [t for t in taints if t.get("key") != FORCED_DOWN_TAINT]
    if not forced_down:
        return others
    return [*others, {"key": FORCED_DOWN_TAINT, "value": "true", "effect": "NoSchedule"}]


class NodeStore:
    """Cache of the compute Nodes and the few writes the compute API makes to them."""

    def __init__(self, kube: k8s.Client, *, label_selector: str = "") -> None:
        self._kube = kube
        self.informer: Informer[ComputeNode] = Informer(
            kube.transport, k8s.NODES, parse_node, label_selector=label_selector or None, name="nodes"
        )

    # -- reads (cache) -------------------------------------------------------------------------
    def all(self) -> list[ComputeNode]:
        """Every compute host, by name."""
        return sorted(self.informer.objects(), key=lambda node: node.name)

    def get(self, name: str) -> ComputeNode | None:
        return self.informer.get(name)

    def by_uid(self, uid: str) -> ComputeNode | None:
        return next((node for node in self.informer.objects() if node.uid == uid), None)

    def by_legacy_id(self, number: int) -> ComputeNode | None:
        return next((node for node in self.informer.objects() if node.legacy_id == number), None)

    # -- writes ----------------------------------------------------------------------------------
    async def set_disabled(self, node: ComputeNode, *, disabled: bool, reason: str | None) -> ComputeNode:
        """Cordon (disable) or uncordon (enable) the Node, recording or clearing the reason."""
        recorded = reason if disabled and reason else None
        patch = {
            "spec": {"unschedulable": True if disabled else None},
            "metadata": {"annotations": {DISABLED_REASON_ANNOTATION: recorded}},
        }
        return await self._patch(node.name, patch)

    async def set_forced_down(self, node: ComputeNode, *, forced_down: bool) -> ComputeNode:
        """Add or remove the forced-down taint, re-reading the Node when someone else changed its taints."""

        def build(raw: dict[str, Any]) -> Mapping[str, Any] | None:
            current = parse_node(raw)
            if current.forced_down == forced_down:
                return None
            return {"spec": {"taints": _with_forced_down(current.taints, forced_down)}}

        # A JSON merge patch: the taint list is replaced whole (guarded by resourceVersion), not
        # merged by key as a strategic merge patch would.
        return self._remember(await call(_what(node.name), self._kube.modify(k8s.NODES, node.name, build)))

    async def _patch(self, name: str, patch: dict[str, Any]) -> ComputeNode:
        return self._remember(await call(_what(name), self._kube.merge_patch(k8s.NODES, name, patch)))

    def _remember(self, raw: dict[str, Any]) -> ComputeNode:
        cached = self.informer.record_write(raw)
        return cached if cached is not None else parse_node(raw)


def _what(name: str) -> str:
    return f"Compute host {name}"
