"""Builders for scheduler test data: a host or request with sensible defaults and overrides."""

from __future__ import annotations

from typing import Any

from kubenova.domain.zones import AggregateInfo
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec


def make_host(name: str = "host1", **overrides: Any) -> HostState:
    """An enabled, up host in zone ``nova`` with 8 vCPUs, 16 GiB RAM and 200 GiB disk, unused."""
    fields: dict[str, Any] = {
        "name": name,
        "availability_zone": "nova",
        "total_vcpus": 8.0,
        "total_memory_mb": 16384,
        "total_disk_gb": 200,
    }
    fields.update(overrides)
    return HostState(**fields)


def make_spec(uid: str = "server-1", **overrides: Any) -> RequestSpec:
    """A request for 1 vCPU, 512 MiB RAM and a 1 GiB root disk in project ``demo``."""
    fields: dict[str, Any] = {
        "instance_uid": uid,
        "project_id": "demo",
        "vcpus": 1,
        "memory_mb": 512,
        "root_gb": 1,
    }
    fields.update(overrides)
    return RequestSpec(**fields)


def make_aggregate(
    name: str, hosts: tuple[str, ...] = (), *, zone: str | None = None, **metadata: str
) -> AggregateInfo:
    """An aggregate of ``hosts`` with ``metadata`` given as keyword arguments."""
    return AggregateInfo(name=name, availability_zone=zone, hosts=frozenset(hosts), metadata=dict(metadata))
