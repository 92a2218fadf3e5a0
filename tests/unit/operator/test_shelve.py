"""shelve, shelveOffload and unshelve as pure decisions: which intent is pending (and the task the
API shows for it), Nova's state sequence and what each step writes, the offload time, and the VM
pinning patches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kubenova.domain import pending
from kubenova.domain import shelve_rules as rules
from kubenova.kubevirt import models, vm_pinning
from kubenova.resources.states import TaskState, VmState
from kubenova.status import Observation, observe, render
from kubenova.status import shelve_steps as steps
from tests.unit.operator import factories as f

NOW = "2026-01-02T00:00:00Z"


def server(spec: dict[str, Any] | None = None, **status: Any) -> Any:
    base = {
        "vmState": "active",
        "powerState": "Running",
        "host": "n1",
        "hypervisorHostname": "n1",
        "availabilityZone": "az1",
    }
    return f.server(spec=spec or {}, status={**base, **status})


def test_pending_intents_and_the_task_the_api_shows() -> None:
    assert pending.task_state(server({"shelved": True})) is TaskState.SHELVING
    assert pending.task_state(server({"shelved": True}, vmState="stopped")) is TaskState.SHELVING
    assert pending.task_state(server({"shelved": True}, vmState="error")) is None  # not from ERROR
    shelved = {"vmState": "shelved"}
    assert pending.task_state(server({"shelved": True}, **shelved)) is None
    offload = {"shelved": True, "shelveOffload": {"requestId": "req-o"}}
    assert pending.task_state(server(offload, **shelved)) is TaskState.SHELVING_OFFLOADING
    handled = {"shelve": {"handledOffload": "req-o"}}
    assert pending.task_state(server(offload, **shelved, **handled)) is None
    assert pending.task_state(server({"shelved": False}, **shelved)) is TaskState.UNSHELVING
    assert pending.task_state(server({}, vmState="shelved_offloaded", host=None)) is TaskState.UNSHELVING


def test_a_failed_unshelve_waits_for_a_new_request() -> None:
    failed = {"vmState": "shelved_offloaded", "host": None, "shelve": {"failedUnshelve": ""}}
    assert not rules.unshelve_pending(server({}, **failed))
    assert rules.unshelve_pending(server({"unshelve": {"requestId": "req-2"}}, **failed))
    again = {**failed, "shelve": {"failedUnshelve": "req-2"}}
    assert not rules.unshelve_pending(server({"unshelve": {"requestId": "req-2"}}, **again))


def test_unshelve_host_only_for_a_new_request() -> None:
    spec = {"unshelve": {"requestId": "req-h", "host": "n2"}}
    assert rules.unshelve_host(server(spec, vmState="shelved_offloaded")) == "n2"
    done = {"shelve": {"handledUnshelve": "req-h"}}
    assert rules.unshelve_host(server(spec, vmState="shelved_offloaded", **done)) is None


def test_offload_time() -> None:
    now = datetime(2026, 1, 2, tzinfo=UTC)
    at = (now - timedelta(seconds=30)).isoformat()
    shelved = server({"shelved": True}, vmState="shelved", shelve={"shelvedAt": at})
    assert rules.offload_due(shelved, 0, now)
    assert rules.offload_due(shelved, 30, now)
    assert not rules.offload_due(shelved, 31, now)
    assert not rules.offload_due(shelved, -1, now)
    busy = server(
        {"shelved": True}, vmState="shelved", taskState="shelving_offloading", shelve={"shelvedAt": at}
    )
    assert not rules.offload_due(busy, 0, now)


def test_shelve_sequence_keeps_the_host_and_records_the_action() -> None:
    active = server({"shelved": True})
    begun = steps.begin_shelve(active)
    assert begun is not None
    assert (begun.vm_state, begun.task_state) == (VmState.ACTIVE, TaskState.SHELVING)
    assert begun.start_action is not None
    assert begun.start_action.action == "shelve"
    patch = render(active, begun, now=NOW)
    assert patch is not None
    assert patch["status"] == "ACTIVE"  # Nova's status while shelving
    assert patch["task"]["action"] == "shelve"
    assert steps.begin_shelve(server({"shelved": True}, taskState="rebooting")) is None

    shelving = server({"shelved": True}, taskState="shelving", task={"action": "shelve", "requestId": "r"})
    kept = steps.shelved(shelving, now=NOW, offload_at_once=False)
    assert kept is not None
    assert (kept.vm_state, kept.task_state) == (VmState.SHELVED, None)
    assert kept.finish_action is not None
    assert kept.finish_action.result == "Success"
    written = render(shelving, kept, now=NOW)
    assert written is not None
    assert written["status"] == "SHELVED"
    assert written["shelve"] == {"shelvedAt": NOW, "shelvedHost": "n1"}
    assert "host" not in written  # SHELVED keeps the host
    assert written["task"] is None

    at_once = steps.shelved(shelving, now=NOW, offload_at_once=True)
    assert at_once is not None
    assert (at_once.vm_state, at_once.task_state) == (VmState.SHELVED, TaskState.SHELVING_OFFLOADING)
    assert at_once.finish_action is None  # the shelve action ends with the offload
    assert steps.shelved(server({"shelved": True}), now=NOW, offload_at_once=False) is None


def test_offload_releases_the_host_and_finishes_the_action_that_asked() -> None:
    task = {"action": "shelve", "requestId": "r"}
    offloading = server({"shelved": True}, vmState="shelved", taskState="shelving_offloading", task=task)
    done = steps.offloaded(offloading)
    assert done is not None
    assert (done.vm_state, done.task_state) == (VmState.SHELVED_OFFLOADED, None)
    assert done.finish_action is not None
    assert done.finish_action.action == "shelve"
    patch = render(offloading, done, now=NOW)
    assert patch is not None
    assert (patch["host"], patch["hypervisorHostname"], patch["status"]) == (None, None, "SHELVED_OFFLOADED")
    assert "availabilityZone" not in patch  # Nova keeps the zone

    asked = server({"shelved": True, "shelveOffload": {"requestId": "req-o"}}, vmState="shelved")
    begun = steps.begin_offload(asked, due=False)
    assert begun is not None
    assert begun.start_action is not None
    assert begun.start_action.request_id == "req-o"
    automatic = steps.begin_offload(server({"shelved": True}, vmState="shelved"), due=True)
    assert automatic is not None
    assert automatic.start_action is None  # Nova's periodic task records none
    assert steps.begin_offload(server({"shelved": True}, vmState="shelved"), due=False) is None
    assert steps.begin_offload(server({"shelved": False}, vmState="shelved"), due=True) is None


def test_unshelve_of_an_offloaded_server() -> None:
    offloaded = {"vmState": "shelved_offloaded", "host": None, "hypervisorHostname": None}
    idle = server({"unshelve": {"requestId": "req-u"}}, **offloaded)
    begun = steps.begin_unshelve(idle)
    assert begun is not None
    assert begun.task_state is TaskState.UNSHELVING
    assert begun.start_action is not None
    assert begun.start_action.request_id == "req-u"

    unshelving = server(
        {"unshelve": {"requestId": "req-u"}},
        **offloaded,
        taskState="unshelving",
        task={"action": "unshelve", "requestId": "req-u"},
    )
    placed = steps.unshelve_placed(unshelving, host="n2", zone="az2")
    assert placed is not None
    patch = render(unshelving, placed, now=NOW)
    assert patch is not None
    assert (patch["host"], patch["availabilityZone"], patch["taskState"]) == ("n2", "az2", "spawning")
    assert patch["status"] == "SHELVED_OFFLOADED"

    refused = steps.unshelve_no_valid_host(unshelving, "No valid host was found.")
    assert refused is not None
    assert (refused.vm_state, refused.task_state) == (VmState.SHELVED_OFFLOADED, None)
    assert refused.finish_action is not None
    assert refused.finish_action.result == "Error"
    written = render(unshelving, refused, now=NOW)
    assert written is not None
    assert written["shelve"]["failedUnshelve"] == "req-u"

    spawning = server({"unshelve": {"requestId": "req-u"}}, vmState="shelved_offloaded", taskState="spawning")
    back = steps.unshelved(spawning, addresses={"networks": "private=10.0.0.5"})
    assert back is not None
    assert (back.vm_state, back.task_state) == (VmState.ACTIVE, None)
    done = render(spawning, back, now=NOW)
    assert done is not None
    assert done["shelve"] == {"handledUnshelve": "req-u"}


def test_observation_leaves_a_shelved_server_to_the_shelve_step() -> None:
    shelved = server({"shelved": True}, vmState="shelved")
    halted = Observation(vm=f.vm(run_strategy="Halted"), vmi=None)
    assert observe(shelved, halted, network_label="private") is None
    started = Observation(vm=f.vm(), vmi=f.vmi())
    assert observe(shelved, started, network_label="private") is None
    unshelving = server({}, vmState="shelved", taskState="unshelving")
    assert observe(unshelving, started, network_label="private") is None


def test_vm_pinning_patches() -> None:
    vm = models.VirtualMachine.model_validate(
        {
            "metadata": {"name": "web-1"},
            "spec": {"template": {"spec": {"nodeSelector": {"kubernetes.io/hostname": "n1"}}}},
        }
    )
    assert vm_pinning.pinned_host(vm) == "n1"
    assert vm_pinning.pin_patch(None) == {
        "spec": {"template": {"spec": {"nodeSelector": {"kubernetes.io/hostname": None}}}}
    }
    assert vm_pinning.pin_patch("n2")["spec"]["template"]["spec"]["nodeSelector"] == {
        "kubernetes.io/hostname": "n2"
    }


def test_unshelve_that_cannot_start_is_offloaded_again_with_a_fault() -> None:
    spawning = server({"unshelve": {"requestId": "req-u"}}, vmState="shelved_offloaded", taskState="spawning")
    failed = steps.unshelve_failed(spawning, "ErrorUnschedulable", "PodScheduled: no node")
    assert failed is not None
    assert (failed.vm_state, failed.task_state) == (VmState.SHELVED_OFFLOADED, None)
    assert failed.fault is not None
    assert failed.fault.message == "ErrorUnschedulable"
    patch = render(spawning, failed, now=NOW)
    assert patch is not None
    assert patch["host"] is None
    assert patch["shelve"]["failedUnshelve"] == "req-u"
    on_its_host = server({}, vmState="shelved", taskState="unshelving")
    kept = steps.unshelve_failed(on_its_host, "CrashLoopBackOff", None)
    assert kept is not None
    assert (kept.vm_state, kept.task_state) == (VmState.SHELVED, None)
    kept_patch = render(on_its_host, kept, now=NOW)
    assert kept_patch is not None
    assert "host" not in kept_patch  # a SHELVED server keeps its host
    assert (
        steps.unshelve_failed(server({}, vmState="shelved_offloaded", taskState="unshelving"), "x", None)
        is None
    )
