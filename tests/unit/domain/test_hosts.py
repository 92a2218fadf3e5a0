"""A Node read as a Nova compute host: one reading for the scheduler and the hypervisor API."""

from __future__ import annotations

from typing import Any

from kubenova.domain import hosts, names


def _node(**parts: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "n1", "uid": "u-1", "resourceVersion": "7"},
        "status": {
            "capacity": {"cpu": "8", "memory": "8Gi", "ephemeral-storage": "100Gi"},
            "allocatable": {"cpu": "3500m", "memory": "4Gi"},
            "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": "2026-01-01T00:00:00Z"}],
        },
        **parts,
    }


def test_allocatable_wins_over_capacity_and_cpus_are_exact_or_whole() -> None:
    host = hosts.parse(_node())
    assert (host.cpu, host.vcpus, host.memory_mb, host.local_gb) == (3.5, 3, 4096, 100)
    assert host.is_up
    assert host.takes_servers
    assert not host.disabled
    assert host.heartbeat == "2026-01-01T00:00:00Z"


def test_forced_down_is_down_and_takes_no_servers() -> None:
    taint = {"key": names.FORCED_DOWN_TAINT, "value": "true", "effect": "NoSchedule"}
    host = hosts.parse(_node(spec={"taints": [taint]}))
    assert host.forced_down
    assert not host.is_up
    assert not host.takes_servers


def test_a_cordoned_node_is_a_disabled_service_with_its_reason() -> None:
    node = _node(spec={"unschedulable": True})
    node["metadata"]["annotations"] = {names.DISABLED_REASON_ANNOTATION: "maintenance"}
    host = hosts.parse(node)
    assert host.disabled
    assert host.disabled_reason == "maintenance"
    assert not host.takes_servers


def test_a_prefer_no_schedule_taint_still_takes_servers_and_bad_figures_are_zero() -> None:
    node = _node(spec={"taints": [{"key": "x", "effect": "PreferNoSchedule"}]})
    node["status"]["allocatable"] = {"cpu": "lots"}
    host = hosts.parse(node)
    assert host.takes_servers
    assert host.cpu == 0.0
    assert hosts.parse({"metadata": {"name": "bare"}}).cpu == 0.0
