"""VMI status fragments (pure): what each phase step writes."""

from __future__ import annotations

from typing import Any

from kubenova.kubevirt.models import VirtualMachineInstance
from kubevirt_simulator import vmi_status
from kubevirt_simulator.vmi_facts import read_vmi

AT = "2026-01-01T00:00:00Z"


def vmi(
    spec: dict[str, Any] | None = None, status: dict[str, Any] | None = None, **meta: Any
) -> VirtualMachineInstance:
    return VirtualMachineInstance.model_validate(
        {
            "metadata": {"name": "v", "namespace": "ns", "uid": "uid-1", **meta},
            "spec": spec
            if spec is not None
            else {
                "domain": {
                    "devices": {
                        "interfaces": [
                            {"name": "default", "masquerade": {}},
                            {"name": "storage", "bridge": {}, "macAddress": "02:aa:bb:cc:dd:ee"},
                        ]
                    }
                },
                "networks": [
                    {"name": "default", "pod": {}},
                    {"name": "storage", "multus": {"networkName": "s"}},
                ],
            },
            "status": status or {},
        }
    )


def test_phase_steps_extend_the_transition_log() -> None:
    scheduling = vmi_status.scheduling(vmi(), AT)
    assert scheduling["phase"] == "Scheduling"
    assert scheduling["qosClass"] == "Burstable"
    assert scheduling["phaseTransitionTimestamps"] == [
        {"phase": "Scheduling", "phaseTransitionTimestamp": AT}
    ]
    later = vmi(
        status={"phase": "Scheduling", "phaseTransitionTimestamps": scheduling["phaseTransitionTimestamps"]}
    )
    scheduled = vmi_status.scheduled(later, "node-a", "t2")
    assert [t["phase"] for t in scheduled["phaseTransitionTimestamps"]] == ["Scheduling", "Scheduled"]


def test_unschedulable_condition_is_written_once_per_message() -> None:
    fragment = vmi_status.unschedulable(vmi(), "0/3 nodes are available: x.", AT)
    assert fragment is not None
    (cond,) = fragment["conditions"]
    assert cond == {
        "type": "PodScheduled",
        "status": "False",
        "reason": "Unschedulable",
        "message": "0/3 nodes are available: x.",
        "lastTransitionTime": AT,
    }
    same = vmi(status={"conditions": fragment["conditions"]})
    assert vmi_status.unschedulable(same, "0/3 nodes are available: x.", "later") is None
    assert vmi_status.unschedulable(same, "0/4 nodes are available: y.", "later") is not None


def test_scheduled_clears_the_unschedulable_condition() -> None:
    waiting = vmi(
        status={"conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}
    )
    fragment = vmi_status.scheduled(waiting, "node-a", AT)
    assert fragment["nodeName"] == "node-a"
    assert fragment["conditions"] == []
    assert list(fragment["activePods"].values()) == ["node-a"]
    assert fragment["activePods"] == vmi_status.scheduled(waiting, "node-a", "other")["activePods"]


def test_running_reports_interfaces_and_conditions() -> None:
    fragment = vmi_status.running(vmi(), "10.244.0.9", AT)
    assert fragment["phase"] == "Running"
    pod, storage = fragment["interfaces"]
    assert pod["ipAddress"] == "10.244.0.9"
    assert pod["ipAddresses"] == ["10.244.0.9"]
    assert pod["mac"] == "02:00:0a:f4:00:09"
    assert pod["interfaceName"] == "eth0"
    assert "ipAddress" not in storage
    assert storage["mac"] == "02:aa:bb:cc:dd:ee"
    types = {c["type"]: c["status"] for c in fragment["conditions"]}
    assert types == {"Ready": "True", "LiveMigratable": "True"}


def test_live_migratable_rules() -> None:
    bridged = vmi(
        spec={
            "domain": {"devices": {"interfaces": [{"name": "default", "bridge": {}}]}},
            "networks": [{"name": "default", "pod": {}}],
        }
    )
    ok, reason, _ = vmi_status.live_migratable(bridged)
    assert (ok, reason) == (False, "InterfaceNotLiveMigratable")
    allowed = vmi(
        spec=bridged.spec.to_api(), annotations={"kubevirt.io/allow-pod-bridge-network-live-migration": ""}
    )
    assert vmi_status.live_migratable(allowed)[0]
    local = vmi(spec={"volumes": [{"name": "d", "hostDisk": {"path": "/x"}}]})
    assert vmi_status.live_migratable(local)[1] == "DisksNotLiveMigratable"


def test_needs_pool_address_only_with_a_pod_network_interface() -> None:
    assert vmi_status.needs_pool_address(vmi())
    assert not vmi_status.needs_pool_address(vmi(spec={}))


def test_failed_and_shut_down() -> None:
    running = vmi(
        status={
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}, {"type": "LiveMigratable", "status": "True"}],
        }
    )
    failed = vmi_status.failed(running, "SimulatedFailure", "boom", AT)
    assert failed["phase"] == "Failed"
    assert failed["reason"] == "SimulatedFailure"
    ready = next(c for c in failed["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == ("False", "SimulatedFailure", "boom")
    assert [c["type"] for c in failed["conditions"]] == ["LiveMigratable", "Ready"]
    done = vmi_status.shut_down(running, AT)
    assert done["phase"] == "Succeeded"
    assert [c["type"] for c in done["conditions"]] == ["Ready"]


def test_read_vmi_tolerates_an_invalid_spec() -> None:
    broken = {
        "metadata": {"name": "v", "uid": "u"},
        "spec": {
            "volumes": [
                {"name": "two-sources", "containerDisk": {"image": "x"}, "emptyDisk": {"capacity": "1Gi"}}
            ]
        },
        "status": {"phase": "Failed"},
    }
    parsed = read_vmi(broken)
    assert parsed.metadata.uid == "u"
    assert parsed.status.phase == "Failed"
    assert parsed.spec.volumes == []
