"""Hypervisor representations: one per compute Node.

Microversions: ``id``/``service.id`` are integers below 2.53 and the Node uid from 2.53;
``cpu_info`` is a JSON string below 2.28 and an object from 2.28; 2.75 always lists ``servers``
when asked for; 2.88 drops the resource figures (and statistics) and adds ``uptime``.

Figures: ``vcpus``/``memory_mb``/``local_gb`` are the Node's allocatable cpu, memory (MiB) and
ephemeral storage (GiB); the ``*_used`` ones add up the flavors of the servers placed there;
``running_vms`` counts them and ``current_workload`` those building or in a long task.
``hypervisor_type`` is QEMU (KubeVirt runs guests in QEMU/KVM) and ``hypervisor_version`` the
Node's kubelet version in Nova's integer form (v1.36.3 → 1036003). Kubernetes does not report a
host's uptime, so ``uptime`` is null (as Nova shows for drivers without one).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from kubenova.domain.hosts import ComputeHost
from kubenova.resources import Server
from kubenova_api.microversions import APIVersion
from kubenova_api.usage import HostUsage

HYPERVISOR_TYPE = "QEMU"
# Kubernetes architecture names → the ones libvirt (and so Nova) reports.
_ARCHITECTURES = {"amd64": "x86_64", "arm64": "aarch64", "386": "i686"}
_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")


def hypervisor_id(node: ComputeHost, version: APIVersion) -> str | int:
    return node.uid if version >= "2.53" else node.legacy_id


def hypervisor_version(node: ComputeHost) -> int:
    match = _VERSION.match(node.kubelet_version)
    if match is None:
        return 0
    major, minor, micro = (int(part) for part in match.groups())
    return major * 1_000_000 + minor * 1_000 + micro


def cpu_info(node: ComputeHost) -> dict[str, Any]:
    if not node.architecture:
        return {}
    return {"arch": _ARCHITECTURES.get(node.architecture, node.architecture)}


def _servers(servers: Iterable[Server]) -> list[dict[str, str]]:
    return [{"name": s.display_name, "uuid": s.server_id} for s in servers]


def hypervisor(
    node: ComputeHost,
    used: HostUsage,
    version: APIVersion,
    *,
    detail: bool,
    with_servers: bool = False,
) -> dict[str, Any]:
    """One hypervisor; ``with_servers`` adds the servers placed on it."""
    body: dict[str, Any] = {
        "id": hypervisor_id(node, version),
        "hypervisor_hostname": node.name,
        "state": "up" if node.is_up else "down",
        "status": "disabled" if node.disabled else "enabled",
    }
    if detail:
        if version < "2.88":
            body.update(_figures(node, used))
            info = cpu_info(node)
            body["cpu_info"] = info if version >= "2.28" else json.dumps(info)
        body.update(
            {
                "hypervisor_type": HYPERVISOR_TYPE,
                "hypervisor_version": hypervisor_version(node),
                "host_ip": node.host_ip,
                "service": {
                    "id": hypervisor_id(node, version),
                    "host": node.name,
                    "disabled_reason": node.disabled_reason,
                },
            }
        )
        if version >= "2.88":
            body["uptime"] = None
    if with_servers and (used.servers or version >= "2.75"):
        body["servers"] = _servers(used.servers)
    return body


def _figures(node: ComputeHost, used: HostUsage) -> dict[str, int]:
    free_disk = node.local_gb - used.local_gb
    return {
        "vcpus": node.vcpus,
        "memory_mb": node.memory_mb,
        "local_gb": node.local_gb,
        "vcpus_used": used.vcpus,
        "memory_mb_used": used.memory_mb,
        "local_gb_used": used.local_gb,
        "free_ram_mb": node.memory_mb - used.memory_mb,
        "free_disk_gb": free_disk,
        "current_workload": used.workload,
        "running_vms": used.running_vms,
        "disk_available_least": free_disk,
    }


def statistics(hosts: Iterable[tuple[ComputeHost, HostUsage]]) -> dict[str, Any]:
    """Sums over enabled hypervisors (Nova leaves disabled compute services out)."""
    totals: dict[str, int] = dict.fromkeys(_figures_keys(), 0)
    count = 0
    for node, used in hosts:
        if node.disabled:
            continue
        count += 1
        for key, value in _figures(node, used).items():
            totals[key] += value
    return {"hypervisor_statistics": {"count": count, **totals}}


def _figures_keys() -> tuple[str, ...]:
    return (
        "vcpus",
        "memory_mb",
        "local_gb",
        "vcpus_used",
        "memory_mb_used",
        "local_gb_used",
        "free_ram_mb",
        "free_disk_gb",
        "current_workload",
        "running_vms",
        "disk_available_least",
    )
