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

import functools
import json
import logging
import math
import re
import zlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from kubernetes import client

from kubenova.domain import names
from kubenova_api import errors
from kubenova_api.store.custom_resources import call_api
from kubenova_api.store.informer import Informer

log = logging.getLogger(__name__)

DISABLED_REASON_ANNOTATION = names.DISABLED_REASON_ANNOTATION
FORCED_DOWN_TAINT = names.FORCED_DOWN_TAINT
_TAINT_RETRIES = 5

_MIB = 1024**2
_GIB = 1024**3
_SUFFIXES: dict[str, Decimal] = {
    "": Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")


def parse_quantity(raw: object) -> Decimal:
    """A Kubernetes resource quantity (``8``, ``7500m``, ``16Gi``, ``1e3``) as a number; 0 if unparsable."""
    match = _QUANTITY.match(str(raw).strip()) if raw is not None else None
    if match is None or match.group(2) not in _SUFFIXES:
        return Decimal(0)
    try:
        return Decimal(match.group(1)) * _SUFFIXES[match.group(2)]
    except InvalidOperation:
        return Decimal(0)


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
        vcpus=math.floor(parse_quantity(resources.get("cpu"))),
        memory_mb=int(parse_quantity(resources.get("memory")) // _MIB),
        local_gb=int(parse_quantity(resources.get("ephemeral-storage")) // _GIB),
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

    def __init__(self, api_client: client.ApiClient, *, label_selector: str = "") -> None:
        self._core = client.CoreV1Api(api_client)
        list_call = functools.partial(self._core.list_node, label_selector=label_selector or None)
        self.informer: Informer[ComputeNode] = Informer("nodes", list_call, parse_node)

    # -- reads (cache) -------------------------------------------------------------------------
    def all(self) -> list[ComputeNode]:
        """Every compute host, by name."""
        return sorted(self.informer.items(), key=lambda node: node.name)

    def get(self, name: str) -> ComputeNode | None:
        return self.informer.get(name)

    def by_uid(self, uid: str) -> ComputeNode | None:
        return next((node for node in self.informer.items() if node.uid == uid), None)

    def by_legacy_id(self, number: int) -> ComputeNode | None:
        return next((node for node in self.informer.items() if node.legacy_id == number), None)

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
        for _ in range(_TAINT_RETRIES):
            current = await self._read(node.name)
            if current.forced_down == forced_down:
                return current
            patch = {
                "metadata": {"resourceVersion": current.resource_version},
                "spec": {"taints": _with_forced_down(current.taints, forced_down)},
            }
            try:
                return await self._patch(node.name, patch)
            except errors.ConflictError:
                continue
        raise errors.ConflictError(f"Node {node.name} kept changing; retry the request.")

    async def _read(self, name: str) -> ComputeNode:
        raw = await call_api(f"Compute host {name}", self._raw, "read", name, None)
        return self._remember(raw)

    async def _patch(self, name: str, patch: dict[str, Any]) -> ComputeNode:
        raw = await call_api(f"Compute host {name}", self._raw, "patch", name, patch)
        return self._remember(raw)

    def _raw(self, verb: str, name: str, body: Any) -> dict[str, Any]:
        response: Any
        if verb == "read":
            response = self._core.read_node(name, _preload_content=False)
        else:
            # A JSON merge patch: the taint list is replaced whole (guarded by resourceVersion),
            # not merged by key as a strategic merge patch would.
            response = self._core.patch_node(
                name, body, _preload_content=False, _content_type="application/merge-patch+json"
            )
        result: dict[str, Any] = json.loads(response.data)
        return result

    def _remember(self, raw: dict[str, Any]) -> ComputeNode:
        cached = self.informer.record_write(raw)
        return cached if cached is not None else parse_node(raw)
