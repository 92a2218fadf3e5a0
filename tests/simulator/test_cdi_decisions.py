"""The simulated CDI and storage decisions (pure): DataVolume phases and progress, import
failures, VM volume readiness as KubeVirt reads it, and the provisioner's growth rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kubenova.kubevirt import cdi_models as cdi
from kubenova.kubevirt.models import PrintableStatus, VirtualMachine
from kubevirt_simulator import dv_phases, provisioner, vm_volumes
from kubevirt_simulator.dv_phases import Facts

BOUND = Facts(pvc_phase="Bound")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def dv(source: dict[str, Any], status: dict[str, Any] | None = None) -> cdi.DataVolume:
    return cdi.DataVolume.model_validate(
        {
            "metadata": {"name": "web-root", "namespace": "ns", "uid": "dv-uid"},
            "spec": {"source": source, "storage": {"resources": {"requests": {"storage": "1Gi"}}}},
            "status": status or {},
        }
    )


def step_at(
    volume: cdi.DataVolume, facts: Facts = BOUND, *, at: float = 0, rate: float = 25
) -> dv_phases.Step:
    return dv_phases.next_step(volume, facts, delay=0.1, rate=rate, now=T0 + timedelta(seconds=at))


def walk(volume: cdi.DataVolume, facts: Facts = BOUND, *, rate: float = 25) -> list[tuple[str, str]]:
    """(phase, progress) of each write, stepping the clock as the steps ask, until none is due."""
    seen, clock = [], 0.0
    for _ in range(1000):
        step = step_at(volume, facts, at=clock, rate=rate)
        if step.status is not None:
            seen.append((step.status["phase"], step.status["progress"]))
            stamped = stamped_times(step.status, volume, T0 + timedelta(seconds=clock))
            volume = volume.model_copy(update={"status": cdi.DataVolumeStatus.model_validate(stamped)})
        if step.again is None:
            return seen
        clock += step.again
    return seen


def stamped_times(status: dict[str, Any], volume: cdi.DataVolume, at: datetime) -> dict[str, Any]:
    previous = {c.type: c for c in volume.status.conditions}
    conditions = []
    for c in status["conditions"]:
        old = previous.get(c["type"])
        kept = old.last_transition_time if old is not None and old.status == c["status"] else None
        stamp = at.isoformat()
        conditions.append({**c, "lastTransitionTime": kept or stamp, "lastHeartbeatTime": stamp})
    return {**status, "conditions": conditions}


def conditions(step: dv_phases.Step) -> dict[str, tuple[str, str | None]]:
    assert step.status is not None
    return {c["type"]: (c["status"], c.get("reason")) for c in step.status["conditions"]}


def test_import_walks_scheduled_in_progress_succeeded_with_progress_by_the_clock() -> None:
    # 25% a second, progress written once a second.
    assert walk(dv({"registry": {"url": "docker://quay.io/x/cirros:1"}})) == [
        ("ImportScheduled", "N/A"),
        ("ImportInProgress", "0.00%"),
        ("ImportInProgress", "25.00%"),
        ("ImportInProgress", "50.00%"),
        ("ImportInProgress", "75.00%"),
        ("Succeeded", "100.0%"),
    ]


def test_progress_is_not_rewritten_within_the_interval() -> None:
    running = {
        "phase": "ImportInProgress",
        "progress": "0.00%",
        "conditions": [
            {
                "type": "Running",
                "status": "True",
                "lastTransitionTime": T0.isoformat(),
                "lastHeartbeatTime": T0.isoformat(),
            }
        ],
    }
    volume = dv({"http": {"url": "https://example.org/x.img"}}, running)
    early = step_at(volume, at=0.3, rate=1)
    assert early.status is None
    assert early.again is not None
    assert 0 < early.again <= 0.7 + 1e-9
    later = step_at(volume, at=2.0, rate=1)
    assert later.status is not None
    assert later.status["progress"] == "2.00%"
    assert step_at(volume, at=200, rate=1).status == dv_phases._succeeded(0, "web-root")


def test_clone_and_blank_have_their_own_phases() -> None:
    clone = walk(dv({"pvc": {"namespace": "images", "name": "cirros"}}), rate=50)
    assert [p for p, _ in clone] == ["CloneScheduled", "CloneInProgress", "CloneInProgress", "Succeeded"]
    assert walk(dv({"blank": {}})) == [("ImportScheduled", "N/A"), ("Succeeded", "100.0%")]


def test_waits_pending_for_the_pvc_and_for_a_clone_source() -> None:
    pending = step_at(dv({"blank": {}}), Facts(pvc_phase="Pending"))
    assert pending.status is not None
    assert pending.status["phase"] == "Pending"
    assert conditions(pending)["Bound"] == ("False", "Pending")
    assert pending.again is None  # the PVC binding wakes it
    no_source = step_at(
        dv({"pvc": {"namespace": "images", "name": "gone"}}), Facts(pvc_phase="Bound", source_ready=False)
    )
    assert no_source.status is not None
    assert no_source.status["phase"] == "Pending"
    assert conditions(no_source)["Running"] == ("False", "CloneWithoutSource")


def test_unreachable_source_keeps_failing_in_progress_with_restarts() -> None:
    volume = dv({"http": {"url": "http://images.invalid/cirros.img"}}, {"phase": "ImportScheduled"})
    first = step_at(volume)
    assert first.status is not None
    assert first.status["phase"] == "ImportInProgress"
    assert first.status["restartCount"] == 1
    assert conditions(first)["Running"] == ("False", "Error")
    assert "no such host" in first.status["conditions"][2]["message"]
    again = volume.model_copy(update={"status": cdi.DataVolumeStatus.model_validate(first.status)})
    assert (step_at(again).status or {})["restartCount"] == 2
    assert dv_phases.unreachable("docker://registry.invalid/x:1") is not None
    assert dv_phases.unreachable("https://example.org/x.img") is None


def test_a_clone_from_a_failing_source_keeps_failing_in_progress() -> None:
    volume = dv({"pvc": {"namespace": "ns", "name": "web-root"}}, {"phase": "CloneScheduled"})
    failing = step_at(volume, Facts(pvc_phase="Bound", source_fails=True))
    assert failing.status is not None
    assert failing.status["phase"] == "CloneInProgress"
    assert failing.status["restartCount"] == 1
    assert conditions(failing)["Running"] == ("False", "Error")
    assert failing.status["conditions"][2]["message"] == dv_phases.CLONE_FAILED


def test_succeeded_is_final_and_ready() -> None:
    done = step_at(dv({"blank": {}}, {"phase": "Succeeded"}))
    assert done.status is not None
    assert done.again is None
    assert conditions(done)["Ready"] == ("True", None)


def vm_with_dv() -> VirtualMachine:
    return VirtualMachine.model_validate(
        {
            "metadata": {"name": "web", "namespace": "ns", "uid": "vm-uid"},
            "spec": {
                "dataVolumeTemplates": [
                    {"metadata": {"name": "web-root"}, "spec": {"source": {"blank": {}}}}
                ],
                "template": {"spec": {"volumes": [{"name": "root", "dataVolume": {"name": "web-root"}}]}},
            },
        }
    )


@pytest.mark.parametrize(
    ("status", "printable", "ready"),
    [
        (None, PrintableStatus.PROVISIONING, False),
        ({"phase": "ImportInProgress", "progress": "10.00%"}, PrintableStatus.PROVISIONING, False),
        ({"phase": "Failed"}, PrintableStatus.DATA_VOLUME_ERROR, False),
        (
            {
                "phase": "ImportInProgress",
                "conditions": [{"type": "Running", "status": "False", "reason": "Error", "message": "boom"}],
            },
            PrintableStatus.DATA_VOLUME_ERROR,
            False,
        ),
        ({"phase": "Succeeded", "conditions": [{"type": "Ready", "status": "True"}]}, None, True),
    ],
)
def test_vm_waits_for_its_data_volumes(
    status: dict[str, Any] | None, printable: PrintableStatus | None, ready: bool
) -> None:
    found = {"web-root": None if status is None else dv({"blank": {}}, status)}
    readiness = vm_volumes.readiness(vm_with_dv(), found, {})
    assert readiness.printable == printable
    assert readiness.ready is ready
    assert readiness.condition is not None
    assert readiness.condition["status"] == ("True" if ready else "False")
    if printable is PrintableStatus.DATA_VOLUME_ERROR:
        assert readiness.failure is not None
        assert readiness.failure[0] == "FailedDataVolumeImport"


def test_data_volume_is_created_owned_by_the_vm() -> None:
    body = vm_with_dv().to_api()
    manifest = vm_volumes.data_volume_manifest(body, vm_with_dv().spec.data_volume_templates[0])
    assert manifest["metadata"]["name"] == "web-root"
    assert manifest["metadata"]["ownerReferences"][0]["uid"] == "vm-uid"
    assert manifest["spec"] == {"source": {"blank": {}}}


def test_volumes_only_grow() -> None:
    assert provisioner.grown("2Gi", "1Gi")
    assert not provisioner.grown("1Gi", "1Gi")
    assert not provisioner.grown("512Mi", "1Gi")
    assert not provisioner.grown(None, "1Gi")
