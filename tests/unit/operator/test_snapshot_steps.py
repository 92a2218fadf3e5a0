"""The pure decisions of createImage/createBackup: start, refusal, task order, end, rotation."""

from __future__ import annotations

from typing import Any

from kubenova.domain import pending
from kubenova.resources.image import Image
from kubenova.resources.states import TaskState, VmState
from kubenova.status import snapshot_steps
from tests.unit.operator import factories

PLACED = {"host": "node-1", "vmName": "web-1", "vmState": "active", "powerState": "Running"}


def _server(status: dict[str, Any] | None = None, **snapshot: Any) -> Any:
    wanted = {"requestId": "req-s", "image": "snap-1", **snapshot}
    return factories.server(spec={"snapshot": wanted}, status={**PLACED, **(status or {})})


def _image(name: str, created: str, **properties: str) -> Image:
    return Image.model_validate(
        {
            "metadata": {"name": name, "uid": f"uid-{name}", "creationTimestamp": created},
            "spec": {"volumeSource": {"pvc": {"namespace": "imgs", "name": name}}, "properties": properties},
        }
    )


def test_a_pending_snapshot_shows_its_task() -> None:
    assert pending.task_state(_server()) is TaskState.IMAGE_SNAPSHOT
    assert pending.task_state(_server(backupType="daily", rotation=2)) is TaskState.IMAGE_BACKUP
    assert pending.task_state(_server({"handledSnapshot": "req-s"})) is None


def test_begin_and_the_task_order() -> None:
    begun = snapshot_steps.begin(_server(), "img-9")
    assert begun is not None
    assert (begun.vm_state, begun.task_state) == (VmState.ACTIVE, TaskState.IMAGE_SNAPSHOT)
    assert begun.fields["task"] == {"action": "createImage", "requestId": "req-s", "imageId": "img-9"}
    backup = snapshot_steps.begin(_server(backupType="daily", rotation=1), "img-9")
    assert backup is not None
    assert backup.task_state is TaskState.IMAGE_BACKUP
    assert snapshot_steps.begin(_server({"taskState": "powering-off"}), "i") is None
    snapping = _server({"taskState": "image_snapshot"})
    pending_upload = snapshot_steps.advanced(snapping, TaskState.IMAGE_PENDING_UPLOAD)
    assert pending_upload is not None
    assert pending_upload.task_state is TaskState.IMAGE_PENDING_UPLOAD
    uploading = _server({"taskState": "image_uploading"})
    assert snapshot_steps.advanced(uploading, TaskState.IMAGE_PENDING_UPLOAD) is None  # never back
    assert snapshot_steps.advanced(uploading, TaskState.IMAGE_UPLOADING) is None


def test_the_end_keeps_the_vm_state_success_or_error() -> None:
    task = {"action": "createImage", "requestId": "req-s", "imageId": "img-9"}
    running = _server({"taskState": "image_uploading", "task": task})
    done = snapshot_steps.finished(running)
    assert done is not None
    assert (done.vm_state, done.task_state) == (VmState.ACTIVE, None)
    assert done.finish_action is not None
    assert done.finish_action.result == "Success"
    failed = snapshot_steps.finished(running, "DataVolume x: broken")
    assert failed is not None
    assert (failed.vm_state, failed.task_state, failed.fault) == (VmState.ACTIVE, None, None)
    assert failed.finish_action is not None
    assert (failed.finish_action.result, failed.finish_action.message) == ("Error", "DataVolume x: broken")


def test_a_refused_state_is_a_failed_action() -> None:
    errored = _server({"vmState": "error"})
    refusal = snapshot_steps.refusal(errored)
    assert refusal is not None
    assert "Cannot 'createImage'" in refusal
    rejected = snapshot_steps.reject(errored, refusal)
    assert rejected is not None
    assert rejected.fields == {"handledSnapshot": "req-s"}


def test_rotation_deletes_the_oldest_backups_of_the_same_server_and_type() -> None:
    server = "srv-1"
    images = [
        _image("b1", "2026-01-01T00:00:01Z", instance_uuid=server, image_type="backup", backup_type="daily"),
        _image("b2", "2026-01-01T00:00:02Z", instance_uuid=server, image_type="backup", backup_type="daily"),
        _image("b3", "2026-01-01T00:00:03Z", instance_uuid=server, image_type="backup", backup_type="daily"),
        _image("w1", "2026-01-01T00:00:00Z", instance_uuid=server, image_type="backup", backup_type="weekly"),
        _image("s1", "2026-01-01T00:00:00Z", instance_uuid=server, image_type="snapshot"),
        _image("o1", "2026-01-01T00:00:00Z", instance_uuid="other", image_type="backup", backup_type="daily"),
    ]
    doomed = snapshot_steps.backups_to_delete(images, server_id=server, backup_type="daily", rotation=1)
    assert [i.metadata.name for i in doomed] == ["b2", "b1"]
    assert snapshot_steps.backups_to_delete(images, server_id=server, backup_type="daily", rotation=5) == []


def test_rotation_keeps_the_backup_just_made_when_creation_times_tie() -> None:
    server, second = "srv-1", "2026-01-01T00:00:01Z"
    images = [
        _image("zz-first", second, instance_uuid=server, image_type="backup", backup_type="daily"),
        _image("aa-new", second, instance_uuid=server, image_type="backup", backup_type="daily"),
    ]
    doomed = snapshot_steps.backups_to_delete(
        images, server_id=server, backup_type="daily", rotation=1, newest="aa-new"
    )
    assert [i.metadata.name for i in doomed] == ["zz-first"]
    every = snapshot_steps.backups_to_delete(
        images, server_id=server, backup_type="daily", rotation=0, newest="aa-new"
    )
    assert {i.metadata.name for i in every} == {"zz-first", "aa-new"}  # rotation 0 keeps none
