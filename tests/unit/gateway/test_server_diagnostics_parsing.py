"""The facts diagnostics take from a VMI as virt-handler reports it, and Nova's two formats."""

from __future__ import annotations

from typing import Any

from kubenova_api.store.instances import parse
from kubenova_api.views import server_diagnostics as views

VMI: dict[str, Any] = {
    "metadata": {"uid": "vmi-1"},
    "spec": {
        "domain": {
            "cpu": {"cores": 2, "sockets": 1, "threads": 1},
            "memory": {"guest": "512Mi"},
            "devices": {"disks": [{"name": "root"}, {"name": "cloudinit"}]},
        },
        "volumes": [{"name": "root", "containerDisk": {}}, {"name": "cloudinit", "cloudInitConfigDrive": {}}],
    },
    "status": {
        "phase": "Running",
        "phaseTransitionTimestamps": [
            {"phase": "Pending", "phaseTransitionTimestamp": "2026-01-01T00:00:00Z"},
            {"phase": "Running", "phaseTransitionTimestamp": "2026-01-01T00:00:03Z"},
        ],
        "interfaces": [{"name": "default", "mac": "02:00:00:00:00:05", "ipAddress": "10.0.0.5"}],
    },
}


def test_facts_from_the_vmi() -> None:
    facts = parse(VMI)
    assert (facts.vcpus, facts.memory_mib, facts.disks, facts.config_drive) == (2, 512, 2, True)
    assert facts.macs == ("02:00:00:00:00:05",)
    assert facts.running_since is not None
    assert facts.running_since.second == 3


def test_standard_and_legacy_bodies() -> None:
    found = views.Diagnostics(state="running", uptime=42, instance=parse(VMI))
    body = views.standard(found)
    assert body["num_cpus"] == 2
    assert body["cpu_details"] == [
        {"id": 0, "time": None, "utilisation": None},
        {"id": 1, "time": None, "utilisation": None},
    ]
    assert body["nic_details"][0]["mac_address"] == "02:00:00:00:00:05"
    assert body["nic_details"][0]["rx_octets"] is None
    assert body["memory_details"] == {"maximum": 512, "used": None}
    assert (body["num_disks"], body["uptime"], body["config_drive"]) == (2, 42, True)
    assert views.legacy(found) == {"memory": 512 * 1024}


def test_a_vmi_without_status_yet() -> None:
    facts = parse({"metadata": {"uid": "x"}, "spec": {}})
    assert (facts.phase, facts.running_since, facts.vcpus, facts.memory_mib, facts.macs) == (
        None,
        None,
        1,
        None,
        (),
    )
