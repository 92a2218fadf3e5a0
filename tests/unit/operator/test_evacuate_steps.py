"""Evacuation as pure decisions: the pending task, the source host's service (down or forced
down), begin → done (ACTIVE, or SHUTOFF for a stopped server and for 2.95), a refusal, and
NoValidHost (ERROR with the record ``error``); the power and rebuild steps keep out."""

from __future__ import annotations

from typing import Any

from kubenova.domain import migration_rules as rules
from kubenova.domain import pending
from kubenova.resources.server import PowerStateName
from kubenova.resources.states import TaskState, VmState
from kubenova.status import evacuate_steps as steps
from kubenova.status import observe
from kubenova.status.observation import Observation
from tests.unit.operator import factories as f
from tests.unit.operator.test_resize import SMALL, apply


def evac_server(stopped: bool = False, power: str = "Running", **status: Any) -> Any:
    base = {
        "vmState": "active",
        "powerState": "Running",
        "host": "n1",
        "availabilityZone": "nova",
        "flavor": SMALL.to_api(),
    }
    spec = {
        "flavor": "small",
        "userId": "admin-user",
        "powerState": power,
        "evacuate": {"requestId": "req-evac", "stopped": stopped},
    }
    return f.server(spec=spec, status={**base, **status})


def test_pending_evacuation_is_rebuilding_until_taken_up() -> None:
    server = evac_server()
    assert rules.evacuate_pending(server)
    assert pending.task_state(server) is TaskState.REBUILDING
    assert pending.task_state(evac_server(vmState="error")) is TaskState.REBUILDING
    assert pending.task_state(evac_server(vmState="paused")) is not TaskState.REBUILDING
    assert not rules.evacuate_pending(evac_server(handledEvacuate="req-evac"))
    # A 2.95 evacuation writes powerState Stopped too: no stop is started for it.
    assert not pending.power_unsettled(evac_server(stopped=True, power="Stopped"))


def test_the_source_host_must_be_down() -> None:
    server = evac_server()
    assert rules.evacuate_refusal(server, ["n1", "n2"]) == "Compute service of n1 is still in use."
    assert rules.evacuate_refusal(server, ["n2"]) is None


def test_begin_then_done_on_the_target() -> None:
    server = apply(evac_server(), steps.begin(evac_server(), host="n2", zone="az2"))
    assert (server.status.vm_state, server.status.task_state) == (VmState.ACTIVE, TaskState.REBUILDING)
    assert server.status.handled_evacuate == "req-evac"
    record = steps.under_way(server)
    assert record is not None
    assert (record.migration_type, record.source_host, record.target_host, record.running) == (
        "evacuation",
        "n1",
        "n2",
        True,
    )
    assert rules.evacuating(server)
    migration = server.status.migration
    assert (migration.migration_type, migration.status, migration.dest_compute) == (
        "evacuation",
        "pre-migrating",
        "n2",
    )
    assert server.status.actions[-1].action == "evacuate"
    # The observation and the power step keep out while it is under way.
    assert observe(server, Observation(vm=None, vmi=None), network_label="private") is None
    assert not pending.power_unsettled(server)
    assert steps.begin(server, host="n2", zone="az2") is None  # taken up once
    server = apply(server, steps.completed(server, {}))
    assert (server.status.host, server.status.availability_zone, server.status.task_state) == (
        "n2",
        "az2",
        None,
    )
    assert (server.status.vm_state, server.status.power_state) == (VmState.ACTIVE, PowerStateName.RUNNING)
    assert server.status.resize is None
    assert server.status.migration.status == "done"
    assert (server.status.actions[-1].action, server.status.actions[-1].result) == ("evacuate", "Success")
    assert steps.completed(server, {}) is None


def test_a_stopped_server_and_2_95_end_stopped() -> None:
    stopped = evac_server(vmState="stopped", powerState="Shutdown", power="Stopped")
    assert not steps.ends_running(stopped)
    done = apply(stopped, steps.begin(stopped, host="n2", zone=None))
    done = apply(done, steps.completed(done, {}))
    assert (done.status.vm_state, done.status.power_state, done.status.host) == (
        VmState.STOPPED,
        PowerStateName.SHUTDOWN,
        "n2",
    )
    asked = evac_server(stopped=True, power="Stopped")
    assert not steps.ends_running(asked)
    assert steps.ends_running(evac_server(vmState="error"))


def test_refusal_and_no_valid_host() -> None:
    refused = apply(evac_server(), steps.refuse(evac_server(), "Compute service of n1 is still in use."))
    assert (refused.status.vm_state, refused.status.task_state, refused.status.host) == (
        VmState.ACTIVE,
        None,
        "n1",
    )
    assert refused.status.migration is None
    assert (refused.status.actions[-1].result, refused.status.actions[-1].message) == (
        "Error",
        "Compute service of n1 is still in use.",
    )
    failed = apply(evac_server(), steps.unscheduled(evac_server(), "No valid host was found.", "details"))
    assert (failed.status.vm_state, failed.status.task_state, failed.status.host) == (
        VmState.ERROR,
        None,
        "n1",
    )
    assert failed.status.fault.message == "No valid host was found."
    assert (failed.status.migration.migration_type, failed.status.migration.status) == ("evacuation", "error")
    assert not rules.evacuate_pending(failed)
