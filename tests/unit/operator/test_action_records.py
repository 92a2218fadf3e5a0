"""The one action log: operations record the gateway's inbox entries (else a new request), lock
and unlock are recorded finished at once, with whatever status write comes next."""

from __future__ import annotations

import json

from kubenova import status
from kubenova.domain import names
from kubenova.resources.states import TaskState, VmState
from kubenova.status import action_records, operations
from tests.unit.operator import factories as f

NOW = "2026-01-01T00:10:00Z"


def inbox(*entries: tuple[str, str]) -> dict[str, str]:
    requests = [
        {"action": a, "requestId": r, "userId": "alice", "startTime": "2026-01-01T00:00:0" + str(i) + "Z"}
        for i, (a, r) in enumerate(entries)
    ]
    return {names.REQUESTS_ANNOTATION: json.dumps(requests)}


def test_an_operation_records_the_oldest_waiting_entry_of_its_action() -> None:
    server = f.server(annotations=inbox(("stop", "req-1"), ("stop", "req-2")))
    start = action_records.start_of(server, "stop")
    assert (start.request_id, start.user_id, start.start_time) == ("req-1", "alice", "2026-01-01T00:00:00Z")
    assert action_records.start_of(server, "stop", "req-2").request_id == "req-2"


def test_without_an_entry_the_request_is_new_and_the_user_the_servers() -> None:
    start = action_records.start_of(f.server(spec={"userId": "bob"}), "reboot", "req-spec")
    assert (start.request_id, start.user_id, start.start_time) == ("req-spec", "bob", None)


def test_lock_and_unlock_are_recorded_finished_with_the_next_write() -> None:
    server = f.server(
        annotations=inbox(("lock", "req-l"), ("stop", "req-s")),
        status={"vmState": "active", "status": "ACTIVE"},
    )
    transition = operations.record_requests(server)
    assert transition is not None
    assert not transition.announce
    patch = status.render(server, transition, now=NOW)
    assert patch is not None
    assert set(patch) == {"actions", "updatedAt"}
    assert patch["actions"] == [
        {
            "action": "lock",
            "requestId": "req-l",
            "userId": "alice",
            "startTime": "2026-01-01T00:00:00Z",
            "finishTime": NOW,
            "result": "Success",
        }
    ]
    recorded = f.server(annotations=server.metadata.annotations, status={"vmState": "active", **patch})
    assert operations.record_requests(recorded) is None
    folded = status.Transition(VmState.ACTIVE, TaskState.POWERING_OFF, "PoweringOff", "m").recording(
        action_records.recorded_at_once(server)
    )
    assert [a["action"] for a in status.render(server, folded, now=NOW)["actions"]] == ["lock"]  # type: ignore[index]


def test_a_build_that_fails_at_once_records_its_create_started_and_finished() -> None:
    server = f.server(annotations=inbox(("create", "req-c")))
    transition = operations.build_failed(server, "Flavor x could not be found.")
    assert transition is not None
    patch = status.render(server, transition, now=NOW)
    assert patch is not None
    [create] = patch["actions"]
    assert (create["requestId"], create["result"], create["finishTime"]) == ("req-c", "Error", NOW)
    assert patch["vmState"] == "error"


def test_a_reboot_of_a_server_never_placed_is_refused() -> None:
    server = f.server(spec={"reboot": {"type": "HARD", "requestId": "req-r"}}, status={"vmState": "error"})
    assert operations.begin_reboot(server, None) is None
    refused = operations.reject_reboot(server)
    assert refused is not None
    assert refused.message == f"Cannot 'reboot' instance {f.SERVER_UID} while it is in launched_at None"


def test_the_end_of_a_task_clears_status_task() -> None:
    server = f.server(
        status={
            "vmState": "active",
            "taskState": "rebooting",
            "task": {"action": "reboot", "requestId": "r", "replacedInstanceUid": "old"},
        }
    )
    patch = status.render(server, status.Transition(VmState.ACTIVE, None, "Rebooted", "m"), now=NOW)
    assert patch is not None
    assert patch["task"] is None


def test_a_hard_reboot_of_a_stopped_server_is_refused_as_nothing_runs() -> None:
    server = f.server(
        spec={"reboot": {"type": "HARD", "requestId": "req-r"}, "powerState": "Stopped"},
        status={"vmState": "stopped", "host": "node-a"},
    )
    assert operations.begin_reboot(server, None) is None
    refused = operations.reject_reboot(server)
    assert refused is not None
    assert refused.message == f"Cannot 'reboot' instance {f.SERVER_UID} while it is in vm_state stopped"
