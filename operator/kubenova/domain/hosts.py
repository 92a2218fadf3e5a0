"""Compute hosts: what a Kubernetes Node is as a Nova compute host, parsed in one place.

The operator's scheduler (capacity, whether it takes servers) and the gateway's hypervisor and
service APIs (figures, up/down, enabled/disabled) read the same fields:

- capacity: ``status.allocatable`` over ``status.capacity`` (``cpu``, ``memory``,
  ``ephemeral-storage``);
- up: the ``Ready`` condition, unless forced down (Nova's ``forced_down``: the forced-down taint);
- enabled: not ``spec.unschedulable`` (``kubectl cordon``, Nova's disabled service);
- takes new servers: enabled and no NoSchedule/NoExecute taint (KubeVirt's pods would not land
  there: kubenova adds no tolerations).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

from kubenova import quantities
from kubenova.domain import names

BLOCKING_TAINT_EFFECTS = frozenset({"NoSchedule", "NoExecute"})


def legacy_id(uid: str) -> int:
    """The integer id Nova shows below microversion 2.53: a stable 31-bit number from the uid."""
    return zlib.crc32(uid.encode()) & 0x7FFFFFFF


@dataclass(frozen=True)
class ComputeHost:
    """One Node as a Nova compute host."""

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
    cpu: float
    """Allocatable CPUs, exactly (``3500m`` is 3.5)."""
    memory_mb: int
    local_gb: int
    kubelet_version: str
    architecture: str
    taints: list[dict[str, Any]] = field(default_factory=list)

    @property
    def vcpus(self) -> int:
        """Whole CPUs, as Nova's hypervisor figures show them."""
        return int(self.cpu)

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
        return self.annotations.get(names.DISABLED_REASON_ANNOTATION) if self.unschedulable else None

    @property
    def takes_servers(self) -> bool:
        """Enabled and without a taint that keeps KubeVirt's pods away."""
        blocked = any(t.get("effect") in BLOCKING_TAINT_EFFECTS for t in self.taints)
        return not self.unschedulable and not blocked


def parse(obj: dict[str, Any]) -> ComputeHost:
    """A Node object (as the API serves it) as a compute host; unparsable figures count as 0."""
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
    return ComputeHost(
        name=str(metadata.get("name") or ""),
        uid=str(metadata.get("uid") or ""),
        resource_version=str(metadata.get("resourceVersion") or ""),
        labels=dict(metadata.get("labels") or {}),
        annotations=dict(metadata.get("annotations") or {}),
        unschedulable=bool(spec.get("unschedulable", False)),
        forced_down=any(t.get("key") == names.FORCED_DOWN_TAINT for t in taints),
        ready=ready.get("status") == "True",
        heartbeat=ready.get("lastHeartbeatTime"),
        host_ip=(internal or any_address or [None])[0],
        cpu=quantities.or_default(resources.get("cpu"), quantities.parse_cpu, 0.0),
        memory_mb=quantities.or_default(resources.get("memory"), quantities.parse_mib, 0),
        local_gb=quantities.or_default(resources.get("ephemeral-storage"), quantities.parse_gib, 0),
        kubelet_version=str(node_info.get("kubeletVersion") or ""),
        architecture=str(node_info.get("architecture") or ""),
        taints=taints,
    )
