"""``os-simple-tenant-usage`` bodies (Nova's serialisation: naive UTC times with microseconds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ServerUsage:
    """One server's usage in the window (Nova's ``server_usages`` entry)."""

    instance_id: str
    name: str
    tenant_id: str
    flavor: str
    hours: float
    memory_mb: int
    local_gb: int
    vcpus: int
    started_at: datetime
    ended_at: datetime | None
    state: str
    uptime: int


@dataclass
class TenantUsage:
    """One project's totals (Nova's ``tenant_usages`` entry)."""

    tenant_id: str
    start: datetime
    stop: datetime
    total_local_gb_usage: float = 0.0
    total_vcpus_usage: float = 0.0
    total_memory_mb_usage: float = 0.0
    total_hours: float = 0.0
    server_usages: list[ServerUsage] = field(default_factory=list)


def _time(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value is not None else None


def server_usage(usage: ServerUsage) -> dict[str, Any]:
    return {
        "ended_at": _time(usage.ended_at),
        "flavor": usage.flavor,
        "hours": usage.hours,
        "instance_id": usage.instance_id,
        "local_gb": usage.local_gb,
        "memory_mb": usage.memory_mb,
        "name": usage.name,
        "started_at": _time(usage.started_at),
        "state": usage.state,
        "tenant_id": usage.tenant_id,
        "uptime": usage.uptime,
        "vcpus": usage.vcpus,
    }


def tenant_usage(usage: TenantUsage, *, detailed: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "tenant_id": usage.tenant_id,
        "total_local_gb_usage": usage.total_local_gb_usage,
        "total_vcpus_usage": usage.total_vcpus_usage,
        "total_memory_mb_usage": usage.total_memory_mb_usage,
        "total_hours": usage.total_hours,
        "start": _time(usage.start),
        "stop": _time(usage.stop),
    }
    if detailed:
        body["server_usages"] = [server_usage(u) for u in usage.server_usages]
    return body
