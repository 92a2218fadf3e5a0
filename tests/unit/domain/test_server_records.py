"""Deleted-server records: what a finished delete keeps of a Server, and how it shows again."""

from __future__ import annotations

from kubenova.domain import names, server_records
from kubenova.resources import ServerRecord
from kubenova.resources.states import VmState
from tests.unit.operator import factories

DELETED_AT = "2026-01-02T03:04:05Z"
ACTIONS = [
    {
        "action": "create",
        "requestId": "req-c",
        "startTime": "2026-01-01T00:00:00Z",
        "finishTime": "2026-01-01T00:00:10Z",
        "result": "Success",
    },
    {"action": "delete", "requestId": "req-d", "userId": "u1", "startTime": "2026-01-02T03:04:00Z"},
]


def _deleting(**status: object) -> factories.Server:
    return factories.server(
        spec={"name": "Web 1", "metadata": {"role": "db"}, "tags": ["blue"], "userId": "u1", "keyName": "k"},
        status={
            "vmState": "active",
            "taskState": "deleting",
            "host": "node-1",
            "availabilityZone": "az1",
            "flavor": factories.embedded(vcpus=2, ram=1024).to_api(),
            "imageId": "img-uid",
            "launchedAt": "2026-01-01T00:00:10Z",
            "actions": ACTIONS,
            **status,
        },
        annotations={
            names.RESERVATION_ID_ANNOTATION: "r-1",
            names.REQUESTS_ANNOTATION: '[{"action":"delete","requestId":"req-d","startTime":"x"}]',
            "other.example/keep-out": "x",
        },
        deletionTimestamp="2026-01-02T03:04:00Z",
    )


def test_a_record_holds_what_nova_keeps_of_a_deleted_instance() -> None:
    body = server_records.record_of(_deleting(), terminated_at=DELETED_AT)
    record = ServerRecord.model_validate(body)
    assert record.metadata.name == factories.SERVER_UID  # a retried create is a 409
    assert record.metadata.namespace == "demo"
    spec = record.spec
    assert (spec.server_id, spec.name, spec.server_name) == (factories.SERVER_UID, "Web 1", "web-1")
    assert (spec.status, spec.vm_state, spec.power_state.value) == ("DELETED", VmState.DELETED, "NOSTATE")
    assert spec.flavor is not None
    assert (spec.flavor.vcpus, spec.flavor.ram) == (2, 1024)
    assert (spec.host, spec.availability_zone, spec.image_id) == ("node-1", "az1", "img-uid")
    assert spec.metadata == {"role": "db"}
    assert spec.tags == ["blue"]
    assert spec.annotations == {names.RESERVATION_ID_ANNOTATION: "r-1"}  # no inbox, nobody else's
    assert (spec.created_at, spec.launched_at, spec.terminated_at) == (
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:10Z",
        DELETED_AT,
    )
    delete = spec.actions[-1]
    assert [a.action for a in spec.actions] == ["create", "delete"]
    assert (delete.request_id, delete.finish_time, delete.result) == ("req-d", DELETED_AT, "Success")


def test_a_delete_no_step_opened_is_taken_from_the_inbox() -> None:
    server = _deleting(actions=ACTIONS[:1])
    server.metadata.annotations[names.REQUESTS_ANNOTATION] = (
        '[{"action":"delete","requestId":"req-inbox","userId":"u2","startTime":"2026-01-02T03:00:00Z"}]'
    )
    record = ServerRecord.model_validate(server_records.record_of(server, terminated_at=DELETED_AT))
    delete = record.spec.actions[-1]
    assert (delete.request_id, delete.user_id, delete.start_time) == (
        "req-inbox",
        "u2",
        "2026-01-02T03:00:00Z",
    )
    assert delete.result == "Success"


def test_a_record_shows_as_the_deleted_server() -> None:
    record = ServerRecord.model_validate(server_records.record_of(_deleting(), terminated_at=DELETED_AT))
    shown = server_records.as_server(record)
    assert shown.server_id == factories.SERVER_UID
    assert shown.display_name == "Web 1"
    assert shown.metadata.namespace == "demo"
    assert shown.metadata.deletion_timestamp is None  # would read as "deleting"
    assert (shown.status.status, shown.status.vm_state, shown.status.task_state) == (
        "DELETED",
        VmState.DELETED,
        None,
    )
    assert shown.status.updated_at == DELETED_AT
    assert shown.status.addresses == {}
    assert [a.action for a in shown.status.actions] == ["create", "delete"]
    assert server_records.is_deleted(shown)
    assert not server_records.is_deleted(_deleting())


def test_expiry_is_the_terminated_time_plus_the_retention() -> None:
    record = ServerRecord.model_validate(server_records.record_of(_deleting(), terminated_at=DELETED_AT))
    assert server_records.expires_at(record, 3600).isoformat() == "2026-01-02T04:04:05+00:00"
