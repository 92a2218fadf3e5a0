"""``GET /servers/{id}/diagnostics`` bodies: Nova's standardized format from 2.48
(``views/server_diagnostics.py``), the driver's free-form dictionary before (libvirt's keys, for
what KubeVirt reports: the guest memory in KiB)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubenova_api.store.instances import InstanceFacts


@dataclass(frozen=True)
class Diagnostics:
    """A diagnosed server: its power state by Nova's name, uptime (s), the instance's facts."""

    state: str
    uptime: int | None
    instance: InstanceFacts


_NIC_COUNTERS = (
    "rx_octets",
    "rx_errors",
    "rx_drop",
    "rx_packets",
    "rx_rate",
    "tx_octets",
    "tx_errors",
    "tx_drop",
    "tx_packets",
    "tx_rate",
)
_DISK_COUNTERS = ("read_bytes", "read_requests", "write_bytes", "write_requests", "errors_count")


def standard(found: Diagnostics) -> dict[str, Any]:
    """The 2.48 body: every field Nova lists, ``null`` where KubeVirt reports nothing."""
    facts = found.instance
    return {
        "state": found.state,
        "driver": "libvirt",
        "hypervisor": "kvm",
        "hypervisor_os": "linux",
        "uptime": found.uptime,
        "config_drive": facts.config_drive,
        "num_cpus": facts.vcpus,
        "num_nics": len(facts.macs),
        "num_disks": facts.disks,
        "cpu_details": [{"id": i, "time": None, "utilisation": None} for i in range(facts.vcpus)],
        "nic_details": [{"mac_address": mac, **dict.fromkeys(_NIC_COUNTERS)} for mac in facts.macs],
        "disk_details": [dict.fromkeys(_DISK_COUNTERS) for _ in range(facts.disks)],
        "memory_details": {"maximum": facts.memory_mib, "used": None},
    }


def legacy(found: Diagnostics) -> dict[str, Any]:
    """Before 2.48: the driver's own keys (libvirt's ``memory`` is in KiB)."""
    memory = found.instance.memory_mib
    return {"memory": memory * 1024} if memory is not None else {}
