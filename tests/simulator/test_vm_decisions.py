"""virt-controller decisions (pure): run strategies, requests, start failures, printable status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kubenova.kubevirt.models import (
    PrintableStatus,
    RunStrategy,
    StartFailure,
    VirtualMachine,
    VirtualMachineInstance,
    VmSpec,
)
from kubevirt_simulator import vm_decisions as d
from kubevirt_simulator.vm_decisions import Do

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def vm(
    spec: dict[str, Any] | None = None, status: dict[str, Any] | None = None, **meta: Any
) -> VirtualMachine:
    return VirtualMachine.model_validate(
        {
            "metadata": {"name": "vm", "namespace": "ns", "uid": "vm-uid", **meta},
            "spec": spec or {},
            "status": status or {},
        }
    )


def vmi(
    phase: str | None = "Running", uid: str = "vmi-uid", deleting: bool = False, **status: Any
) -> VirtualMachineInstance:
    meta: dict[str, Any] = {"name": "vm", "namespace": "ns", "uid": uid}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    body: dict[str, Any] = {"metadata": meta, "status": dict(status)}
    if phase:
        body["status"]["phase"] = phase
    return VirtualMachineInstance.model_validate(body)


@pytest.mark.parametrize(
    ("spec", "strategy"),
    [
        ({"runStrategy": "Manual"}, RunStrategy.MANUAL),
        ({"running": True}, RunStrategy.ALWAYS),
        ({"running": False}, RunStrategy.HALTED),
        ({}, RunStrategy.HALTED),
    ],
)
def test_run_strategy_of(spec: dict[str, Any], strategy: RunStrategy) -> None:
    assert d.run_strategy_of(VmSpec.model_validate(spec)) == strategy


def test_always() -> None:
    assert d.decide(vm(), None, RunStrategy.ALWAYS, NOW).do == Do.START
    assert d.decide(vm(), vmi("Running"), RunStrategy.ALWAYS, NOW).do == Do.NOTHING
    assert d.decide(vm(), vmi("Failed"), RunStrategy.ALWAYS, NOW).do == Do.STOP
    assert d.decide(vm(), vmi("Succeeded"), RunStrategy.ALWAYS, NOW).do == Do.STOP
    assert d.decide(vm(), vmi("Failed", deleting=True), RunStrategy.ALWAYS, NOW).do == Do.NOTHING
    restart = vm(status={"stateChangeRequests": [{"action": "Stop", "uid": "vmi-uid"}]})
    assert d.decide(restart, vmi("Running"), RunStrategy.ALWAYS, NOW).do == Do.STOP


def test_always_waits_for_the_start_backoff() -> None:
    later = (NOW + timedelta(seconds=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    backing_off = vm(status={"startFailure": {"consecutiveFailCount": 2, "retryAfterTimestamp": later}})
    action = d.decide(backing_off, None, RunStrategy.ALWAYS, NOW)
    assert action.do == Do.WAIT
    assert action.delay == pytest.approx(4)
    assert d.decide(backing_off, None, RunStrategy.ALWAYS, NOW + timedelta(seconds=5)).do == Do.START


def test_rerun_on_failure() -> None:
    assert d.decide(vm(), None, RunStrategy.RERUN_ON_FAILURE, NOW).do == Do.START
    failed = d.decide(vm(), vmi("Failed"), RunStrategy.RERUN_ON_FAILURE, NOW)
    assert (failed.do, failed.add_start_request) == (Do.STOP, True)
    succeeded = d.decide(vm(), vmi("Succeeded"), RunStrategy.RERUN_ON_FAILURE, NOW)
    assert (succeeded.do, succeeded.add_start_request) == (Do.STOP, False)
    settled = vm(status={"runStrategy": "RerunOnFailure"})
    assert d.decide(settled, None, RunStrategy.RERUN_ON_FAILURE, NOW).do == Do.NOTHING
    requested = vm(status={"runStrategy": "RerunOnFailure", "stateChangeRequests": [{"action": "Start"}]})
    assert d.decide(requested, None, RunStrategy.RERUN_ON_FAILURE, NOW).do == Do.START


def test_manual_halted_once() -> None:
    assert d.decide(vm(), None, RunStrategy.MANUAL, NOW).do == Do.NOTHING
    start = vm(status={"stateChangeRequests": [{"action": "Start"}]})
    assert d.decide(start, None, RunStrategy.MANUAL, NOW).do == Do.START
    stop = vm(status={"stateChangeRequests": [{"action": "Stop", "uid": "vmi-uid"}]})
    assert d.decide(stop, vmi(), RunStrategy.MANUAL, NOW).do == Do.STOP
    stale_stop = vm(status={"stateChangeRequests": [{"action": "Stop", "uid": "older"}]})
    assert d.decide(stale_stop, vmi(), RunStrategy.MANUAL, NOW).do == Do.NOTHING
    assert d.decide(vm(), vmi("Failed"), RunStrategy.MANUAL, NOW).do == Do.NOTHING

    assert d.decide(vm(), vmi(), RunStrategy.HALTED, NOW).do == Do.STOP
    assert d.decide(vm(), vmi(deleting=True), RunStrategy.HALTED, NOW).do == Do.NOTHING
    assert d.decide(start, None, RunStrategy.HALTED, NOW).do == Do.SWITCH_TO_ALWAYS

    assert d.decide(vm(), None, RunStrategy.ONCE, NOW).do == Do.START
    assert d.decide(vm(), vmi("Succeeded"), RunStrategy.ONCE, NOW).do == Do.NOTHING


def test_trimmed_requests() -> None:
    start = vm(status={"stateChangeRequests": [{"action": "Start"}, {"action": "Stop", "uid": "x"}]})
    assert d.trimmed_requests(start, None) is None
    assert d.trimmed_requests(start, vmi()) == [{"action": "Stop", "uid": "x"}]
    stop = vm(status={"stateChangeRequests": [{"action": "Stop", "uid": "vmi-uid"}]})
    assert d.trimmed_requests(stop, vmi()) is None
    assert d.trimmed_requests(stop, None) == []
    assert d.trimmed_requests(stop, vmi(uid="new")) == []
    assert d.trimmed_requests(vm(), vmi()) is None


def test_start_failures_count_and_back_off() -> None:
    early_failure = vmi("Failed", phaseTransitionTimestamps=[{"phase": "Pending"}, {"phase": "Failed"}])
    first = d.start_failure(vm(), early_failure, RunStrategy.ALWAYS, now=NOW, base_backoff=1, max_backoff=30)
    assert first is not None
    assert first.consecutive_fail_count == 1
    assert first.last_failed_vmi_uid == "vmi-uid"
    assert first.retry_after_timestamp == "2026-01-01T00:00:01Z"
    again = vm(status={"startFailure": first.to_api()})
    assert (
        d.start_failure(again, early_failure, RunStrategy.ALWAYS, now=NOW, base_backoff=1, max_backoff=30)
        == first
    )
    second_vmi = vmi("Failed", uid="vmi-2")
    second = d.start_failure(again, second_vmi, RunStrategy.ALWAYS, now=NOW, base_backoff=1, max_backoff=30)
    assert second is not None
    assert second.consecutive_fail_count == 2
    assert second.retry_after_timestamp == "2026-01-01T00:00:02Z"
    capped = vm(status={"startFailure": {"consecutiveFailCount": 10, "lastFailedVMIUID": "x"}})
    third = d.start_failure(capped, second_vmi, RunStrategy.ALWAYS, now=NOW, base_backoff=1, max_backoff=30)
    assert third is not None
    assert third.retry_after_timestamp == "2026-01-01T00:00:30Z"


def test_start_failures_clear_after_running_or_for_other_strategies() -> None:
    failing = vm(status={"startFailure": {"consecutiveFailCount": 3}})
    ran = vmi("Failed", phaseTransitionTimestamps=[{"phase": "Running"}, {"phase": "Failed"}])
    assert d.start_failure(failing, ran, RunStrategy.ALWAYS, now=NOW, base_backoff=1, max_backoff=30) is None
    assert d.start_failure(failing, None, RunStrategy.MANUAL, now=NOW, base_backoff=1, max_backoff=30) is None
    kept = d.start_failure(failing, None, RunStrategy.ALWAYS, now=NOW, base_backoff=1, max_backoff=30)
    assert kept is not None
    assert kept.consecutive_fail_count == 3


def printable(
    the_vm: VirtualMachine,
    the_vmi: VirtualMachineInstance | None,
    strategy: RunStrategy = RunStrategy.ALWAYS,
    **flags: Any,
) -> PrintableStatus:
    return d.printable_status(
        the_vm,
        the_vmi,
        strategy,
        start_expected=flags.get("start", False),
        stop_expected=flags.get("stop", False),
        failure=flags.get("failure"),
    )


def test_printable_status_precedence() -> None:
    assert printable(vm(deletionTimestamp="2026-01-01T00:00:00Z"), vmi()) == PrintableStatus.TERMINATING
    assert printable(vm(), vmi(deleting=True)) == PrintableStatus.STOPPING
    assert printable(vm(), vmi(), stop=True) == PrintableStatus.STOPPING
    migrating = vmi(migrationState={"startTimestamp": "2026-01-01T00:00:00Z"})
    assert printable(vm(), migrating) == PrintableStatus.MIGRATING
    paused = vmi(conditions=[{"type": "Paused", "status": "True"}])
    assert printable(vm(), paused) == PrintableStatus.PAUSED
    assert printable(vm(), vmi()) == PrintableStatus.RUNNING
    unschedulable = vmi(
        "Scheduling", conditions=[{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]
    )
    assert printable(vm(), unschedulable) == PrintableStatus.ERROR_UNSCHEDULABLE
    for phase in (None, "Pending", "Scheduling", "Scheduled"):
        assert printable(vm(), vmi(phase)) == PrintableStatus.STARTING
    assert printable(vm(), None, start=True) == PrintableStatus.STARTING
    failure = StartFailure(consecutive_fail_count=1)
    assert printable(vm(), None, failure=failure) == PrintableStatus.CRASH_LOOP_BACKOFF
    assert printable(vm(), vmi("Failed"), failure=failure) == PrintableStatus.CRASH_LOOP_BACKOFF
    assert printable(vm(), vmi("Failed"), RunStrategy.MANUAL, failure=failure) == PrintableStatus.STOPPED
    assert printable(vm(), vmi("Succeeded")) == PrintableStatus.STOPPED
    assert printable(vm(), None, RunStrategy.HALTED) == PrintableStatus.STOPPED


def test_conditions_mirror_the_vmi_and_keep_times() -> None:
    missing = d.conditions(vm(), None, None, NOW)
    assert missing == [
        {
            "type": "Ready",
            "status": "False",
            "reason": "VMINotExists",
            "message": "VMI does not exist",
            "lastTransitionTime": "2026-01-01T00:00:00Z",
        }
    ]
    later = d.conditions(vm(status={"conditions": missing}), None, None, NOW + timedelta(minutes=5))
    assert later == missing
    running = vmi(
        conditions=[
            {"type": "Ready", "status": "True", "lastTransitionTime": "t1"},
            {"type": "LiveMigratable", "status": "True"},
        ]
    )
    copied = d.conditions(vm(), running, ("FailedCreate", "boom"), NOW)
    assert [c["type"] for c in copied] == ["Ready", "LiveMigratable", "Failure"]
    assert copied[0]["lastTransitionTime"] == "t1"
    assert copied[2]["message"] == "boom"
