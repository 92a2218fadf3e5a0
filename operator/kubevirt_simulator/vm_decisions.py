"""virt-controller's VirtualMachine logic as pure functions: what to do and what status to show.

Follows KubeVirt's VM controller: the run strategy (or the deprecated ``running`` flag) decides
whether a VMI should exist; ``status.stateChangeRequests`` carry start/stop requests (what the
start/stop/restart subresources write); a VMI that fails before ever running counts as a start
failure and delays the next start (CrashLoopBackOff); the printable status is the first matching
entry of KubeVirt's precedence list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from kubenova.kubevirt.models import (
    PrintableStatus,
    RunStrategy,
    StartFailure,
    VirtualMachine,
    VirtualMachineInstance,
    VmiPhase,
    VmSpec,
)
from kubevirt_simulator.timeutil import parse_time, rfc3339
from kubevirt_simulator.vmi_facts import condition, is_deleting, is_final, is_migrating, was_running

RESTARTING_STRATEGIES = (RunStrategy.ALWAYS, RunStrategy.RERUN_ON_FAILURE, RunStrategy.ONCE)
BEFORE_VOLUMES = (
    PrintableStatus.STARTING,
    PrintableStatus.CRASH_LOOP_BACKOFF,
    PrintableStatus.STOPPED,
    PrintableStatus.UNKNOWN,
)
"""The statuses KubeVirt's precedence list puts after DataVolumeError, WaitingForVolumeBinding and
Provisioning (``vm_volumes``), which replace them while the VM's volumes are not ready."""


def run_strategy_of(spec: VmSpec) -> RunStrategy:
    if spec.run_strategy is not None:
        return spec.run_strategy
    if spec.running is True:
        return RunStrategy.ALWAYS
    return RunStrategy.HALTED


def has_start_request(vm: VirtualMachine) -> bool:
    requests = vm.status.state_change_requests
    return bool(requests) and requests[0].action == "Start"


def has_stop_request_for(vm: VirtualMachine, vmi: VirtualMachineInstance) -> bool:
    requests = vm.status.state_change_requests
    return bool(requests) and requests[0].action == "Stop" and requests[0].uid == vmi.metadata.uid


class Do(Enum):
    NOTHING = "nothing"
    START = "start"
    STOP = "stop"
    WAIT = "wait"
    SWITCH_TO_ALWAYS = "switch-to-always"
    """A start request on a Halted VM: the controller flips the VM to Always (KubeVirt does this)."""


@dataclass(frozen=True)
class Action:
    do: Do
    delay: float = 0.0
    add_start_request: bool = False


def backoff_left(vm: VirtualMachine, now: datetime) -> float:
    failure = vm.status.start_failure
    if failure is None:
        return 0.0
    retry_after = parse_time(failure.retry_after_timestamp)
    if retry_after is None:
        return 0.0
    return max((retry_after - now).total_seconds(), 0.0)


def _start_or_wait(vm: VirtualMachine, now: datetime) -> Action:
    left = backoff_left(vm, now)
    return Action(Do.WAIT, delay=left) if left > 0 else Action(Do.START)


def _always(vm: VirtualMachine, vmi: VirtualMachineInstance | None, now: datetime) -> Action:
    if vmi is None:
        return _start_or_wait(vm, now)
    if not is_deleting(vmi) and (has_stop_request_for(vm, vmi) or is_final(vmi)):
        return Action(Do.STOP)
    return Action(Do.NOTHING)


def _rerun_on_failure(vm: VirtualMachine, vmi: VirtualMachineInstance | None, now: datetime) -> Action:
    if vmi is None:
        # A new VM, or one coming from another strategy, starts; a finished one waits for a request.
        if not has_start_request(vm) and vm.status.run_strategy == RunStrategy.RERUN_ON_FAILURE:
            return Action(Do.NOTHING)
        return _start_or_wait(vm, now)
    failed = vmi.status.phase == VmiPhase.FAILED
    finished = failed or vmi.status.phase == VmiPhase.SUCCEEDED
    if not is_deleting(vmi) and (has_stop_request_for(vm, vmi) or finished):
        return Action(Do.STOP, add_start_request=failed)
    return Action(Do.NOTHING)


def _manual(vm: VirtualMachine, vmi: VirtualMachineInstance | None, _now: datetime) -> Action:
    if vmi is None:
        return Action(Do.START) if has_start_request(vm) else Action(Do.NOTHING)
    if not is_deleting(vmi) and has_stop_request_for(vm, vmi):
        return Action(Do.STOP)
    return Action(Do.NOTHING)


def _halted(vm: VirtualMachine, vmi: VirtualMachineInstance | None, _now: datetime) -> Action:
    if vmi is None:
        return Action(Do.SWITCH_TO_ALWAYS) if has_start_request(vm) else Action(Do.NOTHING)
    return Action(Do.NOTHING) if is_deleting(vmi) else Action(Do.STOP)


def _once(_vm: VirtualMachine, vmi: VirtualMachineInstance | None, _now: datetime) -> Action:
    return Action(Do.START) if vmi is None else Action(Do.NOTHING)


_STRATEGIES = {
    RunStrategy.ALWAYS: _always,
    RunStrategy.RERUN_ON_FAILURE: _rerun_on_failure,
    RunStrategy.MANUAL: _manual,
    RunStrategy.HALTED: _halted,
    RunStrategy.ONCE: _once,
}


def decide(
    vm: VirtualMachine, vmi: VirtualMachineInstance | None, strategy: RunStrategy, now: datetime
) -> Action:
    """The run-strategy step of a VM sync (KubeVirt's syncRunStrategy)."""
    return _STRATEGIES[strategy](vm, vmi, now)


def trimmed_requests(vm: VirtualMachine, vmi: VirtualMachineInstance | None) -> list[dict[str, Any]] | None:
    """The request list without its first entry once that entry is done; None if nothing changes."""
    requests = vm.status.state_change_requests
    if not requests:
        return None
    first = requests[0]
    done = False
    if first.action == "Stop":
        done = vmi is None or first.uid is None or first.uid != vmi.metadata.uid
    elif first.action == "Start":
        done = vmi is not None and not is_deleting(vmi) and not is_final(vmi)
    if not done:
        return None
    return [r.to_api() for r in requests[1:]]


def start_failure(
    vm: VirtualMachine,
    vmi: VirtualMachineInstance | None,
    strategy: RunStrategy,
    *,
    now: datetime,
    base_backoff: float,
    max_backoff: float,
) -> StartFailure | None:
    """KubeVirt's syncStartFailureStatus: count VMIs that failed before running, for backoff."""
    current = vm.status.start_failure
    if (vmi is not None and was_running(vmi)) or strategy not in RESTARTING_STRATEGIES:
        return None
    if vmi is None or not is_final(vmi):
        return current
    if current is not None and current.last_failed_vmi_uid == vmi.metadata.uid:
        return current
    count = (current.consecutive_fail_count if current else 0) + 1
    delay = min(base_backoff * (2 ** (count - 1)), max_backoff)
    return StartFailure(
        consecutive_fail_count=count,
        last_failed_vmi_uid=vmi.metadata.uid,
        retry_after_timestamp=rfc3339(now + timedelta(seconds=delay)),
    )


def _has_unschedulable(vmi: VirtualMachineInstance | None) -> bool:
    if vmi is None:
        return False
    scheduled = condition(vmi, "PodScheduled")
    return scheduled is not None and scheduled.status == "False" and scheduled.reason == "Unschedulable"


def printable_status(
    vm: VirtualMachine,
    vmi: VirtualMachineInstance | None,
    strategy: RunStrategy,
    *,
    start_expected: bool,
    stop_expected: bool,
    failure: StartFailure | None,
) -> PrintableStatus:
    """First match of KubeVirt's precedence list (storage-related statuses do not apply here)."""
    final = vmi is not None and is_final(vmi)
    running = vmi is not None and vmi.status.phase == VmiPhase.RUNNING
    paused = vmi is not None and (c := condition(vmi, "Paused")) is not None and c.status == "True"
    if vm.metadata.deletion_timestamp is not None:
        return PrintableStatus.TERMINATING
    if vmi is not None and not final and (is_deleting(vmi) or stop_expected):
        return PrintableStatus.STOPPING
    if vmi is not None and is_migrating(vmi):
        return PrintableStatus.MIGRATING
    if running and paused:
        return PrintableStatus.PAUSED
    if running:
        return PrintableStatus.RUNNING
    if _has_unschedulable(vmi):
        return PrintableStatus.ERROR_UNSCHEDULABLE
    if vmi is None and start_expected:
        return PrintableStatus.STARTING
    if vmi is not None and vmi.status.phase in (
        None,
        VmiPhase.PENDING,
        VmiPhase.SCHEDULING,
        VmiPhase.SCHEDULED,
    ):
        return PrintableStatus.STARTING
    if (
        (vmi is None or final)
        and not start_expected
        and failure is not None
        and failure.consecutive_fail_count > 0
        and strategy in RESTARTING_STRATEGIES
    ):
        return PrintableStatus.CRASH_LOOP_BACKOFF
    if final or (vmi is None and not start_expected):
        return PrintableStatus.STOPPED
    return PrintableStatus.UNKNOWN


def _with_kept_times(new: dict[str, Any], previous: dict[str, dict[str, Any]]) -> dict[str, Any]:
    old = previous.get(new["type"])
    if old is not None and all(old.get(k) == new.get(k) for k in ("status", "reason", "message")):
        for key in ("lastTransitionTime", "lastProbeTime"):
            if key in old:
                new[key] = old[key]
            else:
                new.pop(key, None)
    return new


def conditions(
    vm: VirtualMachine,
    vmi: VirtualMachineInstance | None,
    failure: tuple[str, str] | None,
    now: datetime,
    extra: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Ready (from the VMI, or VMINotExists), every other VMI condition (or ``extra`` ones, such as
    DataVolumesReady, while there is no VMI), and Failure on sync errors."""
    at = rfc3339(now)
    previous = {c.type: c.to_api() for c in vm.status.conditions}
    ready = condition(vmi, "Ready") if vmi is not None else None
    if vmi is None:
        result = [
            _with_kept_times(
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "VMINotExists",
                    "message": "VMI does not exist",
                    "lastTransitionTime": at,
                },
                previous,
            )
        ]
    elif ready is None:
        result = [
            _with_kept_times(
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "VMIConditionMissing",
                    "message": "VMI is missing the Ready condition",
                    "lastTransitionTime": at,
                },
                previous,
            )
        ]
    else:
        result = [ready.to_api()]
    if vmi is not None:
        result.extend(c.to_api() for c in vmi.status.conditions if c.type not in ("Ready", "Failure"))
    for added in extra or []:
        result.append(_with_kept_times({**added, "lastTransitionTime": at}, previous))
    if failure is not None:
        result.append(
            _with_kept_times(
                {
                    "type": "Failure",
                    "status": "True",
                    "reason": failure[0],
                    "message": failure[1],
                    "lastTransitionTime": at,
                },
                previous,
            )
        )
    return result


def comparable_conditions(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(c.get("type"), c.get("status"), c.get("reason"), c.get("message")) for c in items]
