"""``/os-hosts`` bodies (Nova's ``hosts.py``): the index entries and the show resource rows."""

from __future__ import annotations

from typing import Any

from kubenova.domain.hosts import ComputeHost

SERVICE_TOPIC = "compute"


def entry(node: ComputeHost, zone: str) -> dict[str, Any]:
    return {"host_name": node.name, "service": SERVICE_TOPIC, "zone": zone}


def resource(host: str, project: str, cpu: int, memory_mb: int, disk_gb: int) -> dict[str, Any]:
    return {
        "resource": {"host": host, "project": project, "cpu": cpu, "memory_mb": memory_mb, "disk_gb": disk_gb}
    }
