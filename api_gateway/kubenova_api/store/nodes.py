"""Kubernetes Nodes as Nova compute hosts: one Node is one host, one hypervisor and one
``nova-compute`` service. How a Node reads as a host (capacity, up, enabled) is
``kubenova.domain.hosts``, shared with the operator's scheduler; this module caches and writes.

What the Nova API writes, and where it lives on the Node:

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
from collections.abc import Mapping
from typing import Any

from kubenova import k8s
from kubenova.domain import hosts, names
from kubenova.domain.hosts import ComputeHost
from kubenova_api.store.kube import Informer, call

log = logging.getLogger(__name__)

DISABLED_REASON_ANNOTATION = names.DISABLED_REASON_ANNOTATION
FORCED_DOWN_TAINT = names.FORCED_DOWN_TAINT


def _with_forced_down(taints: list[dict[str, Any]], forced_down: bool) -> list[dict[str, Any]]:
    others = [t for t in taints if t.get("key") != FORCED_DOWN_TAINT]
    if not forced_down:
        return others
    return [*others, {"key": FORCED_DOWN_TAINT, "value": "true", "effect": "NoSchedule"}]


class NodeStore:
    """Cache of the compute Nodes and the few writes the compute API makes to them."""

    def __init__(self, kube: k8s.Client, *, label_selector: str = "") -> None:
        self._kube = kube
        self.informer: Informer[ComputeHost] = Informer(
            kube.transport, k8s.NODES, hosts.parse, label_selector=label_selector or None, name="nodes"
        )

    # -- reads (cache) -------------------------------------------------------------------------
    def all(self) -> list[ComputeHost]:
        """Every compute host, by name."""
        return sorted(self.informer.objects(), key=lambda node: node.name)

    def get(self, name: str) -> ComputeHost | None:
        return self.informer.get(name)

    def by_uid(self, uid: str) -> ComputeHost | None:
        return next((node for node in self.informer.objects() if node.uid == uid), None)

    def by_legacy_id(self, number: int) -> ComputeHost | None:
        return next((node for node in self.informer.objects() if node.legacy_id == number), None)

    # -- writes ----------------------------------------------------------------------------------
    async def set_disabled(self, node: ComputeHost, *, disabled: bool, reason: str | None) -> ComputeHost:
        """Cordon (disable) or uncordon (enable) the Node, recording or clearing the reason."""
        recorded = reason if disabled and reason else None
        patch = {
            "spec": {"unschedulable": True if disabled else None},
            "metadata": {"annotations": {DISABLED_REASON_ANNOTATION: recorded}},
        }
        return await self._patch(node.name, patch)

    async def set_forced_down(self, node: ComputeHost, *, forced_down: bool) -> ComputeHost:
        """Add or remove the forced-down taint, re-reading the Node when someone else changed its taints."""

        def build(raw: dict[str, Any]) -> Mapping[str, Any] | None:
            current = hosts.parse(raw)
            if current.forced_down == forced_down:
                return None
            return {"spec": {"taints": _with_forced_down(current.taints, forced_down)}}

        # A JSON merge patch: the taint list is replaced whole (guarded by resourceVersion), not
        # merged by key as a strategic merge patch would.
        return self._remember(await call(_what(node.name), self._kube.modify(k8s.NODES, node.name, build)))

    async def _patch(self, name: str, patch: dict[str, Any]) -> ComputeHost:
        return self._remember(await call(_what(name), self._kube.merge_patch(k8s.NODES, name, patch)))

    def _remember(self, raw: dict[str, Any]) -> ComputeHost:
        cached = self.informer.record_write(raw)
        return cached if cached is not None else hosts.parse(raw)


def _what(name: str) -> str:
    return f"Compute host {name}"
