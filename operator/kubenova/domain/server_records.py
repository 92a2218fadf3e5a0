"""Deleted servers as records (``ServerRecord``): what the operator keeps of a Server when it
finishes deleting it, and how the gateway shows a record as the deleted server Nova shows.

Nova does not remove a deleted instance: it sets ``deleted``, ``deleted_at`` and
``terminated_at``, vm_state ``deleted``, power_state NOSTATE, and keeps the row (and its instance
actions) until it is archived. Here the record is a snapshot of the Server taken at the end of
the delete; its name is the server id, so writing it again after a restart is a 409 ("done").
Pure: no I/O.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kubenova.domain import names, requests
from kubenova.resources.base import ObjectMeta
from kubenova.resources.server import (
    InstanceAction,
    Server,
    ServerSpec,
    ServerStatus,
)
from kubenova.resources.server_record import ServerRecord, ServerRecordSpec
from kubenova.resources.states import VmState

DELETE_ACTION = "delete"


def record_name(server_id: str) -> str:
    """The record's object name: the server id (a uid is a valid object name)."""
    return server_id


def _finished_log(server: Server, terminated_at: str) -> list[InstanceAction]:
    """The action log with the delete finished (opened from the inbox if no step opened it)."""
    log = [action.model_copy() for action in server.status.actions]
    open_delete = next(
        (i for i in range(len(log) - 1, -1, -1) if log[i].action == DELETE_ACTION and not log[i].finish_time),
        None,
    )
    if open_delete is None:
        waiting = [r for r in requests.unrecorded(server) if r.action == DELETE_ACTION]
        if waiting:
            start = requests.as_action(waiting[0])
        else:
            start = InstanceAction(
                action=DELETE_ACTION,
                request_id=requests.new_request_id(),
                user_id=server.spec.user_id,
                start_time=server.metadata.deletion_timestamp or terminated_at,
            )
        log.append(start)
        open_delete = len(log) - 1
    log[open_delete] = log[open_delete].model_copy(
        update={"finish_time": terminated_at, "result": "Success", "message": None}
    )
    return log


def record_of(server: Server, *, terminated_at: str) -> dict[str, object]:
    """The ``ServerRecord`` body for ``server`` whose delete finished at ``terminated_at``."""
    spec, status = server.spec, server.status
    kept = {
        key: value
        for key, value in server.metadata.annotations.items()
        if key.startswith(names.PREFIX) and key != names.REQUESTS_ANNOTATION
    }
    record = ServerRecordSpec(
        server_id=server.server_id,
        name=server.display_name,
        server_name=server.metadata.name,
        user_id=spec.user_id,
        flavor=status.flavor,
        flavor_name=spec.flavor,
        image=spec.image,
        image_id=status.image_id,
        key_name=spec.key_name,
        description=spec.description,
        metadata=dict(spec.metadata),
        tags=list(spec.tags),
        config_drive=spec.config_drive,
        locked=spec.locked,
        locked_reason=spec.locked_reason,
        host=status.host,
        hypervisor_hostname=status.hypervisor_hostname,
        availability_zone=status.availability_zone,
        requested_zone=spec.availability_zone,
        vm_name=status.vm_name,
        annotations=kept,
        fault=status.fault,
        created_at=server.metadata.creation_timestamp or terminated_at,
        launched_at=status.launched_at,
        terminated_at=terminated_at,
        actions=_finished_log(server, terminated_at),
    )
    return ServerRecord.body(record_name(server.server_id), record, server.metadata.namespace)


def as_server(record: ServerRecord) -> Server:
    """The deleted server as a (read-only) ``Server``: vm_state deleted, status DELETED, no
    addresses; its id, name, flavor, image, host, times and action log as they were."""
    spec = record.spec
    metadata = ObjectMeta(
        name=spec.server_name,
        namespace=record.metadata.namespace,
        uid=spec.server_id,
        creation_timestamp=spec.created_at,
        annotations=dict(spec.annotations),
    )
    server_spec = ServerSpec(
        name=spec.name,
        flavor=spec.flavor_name,
        image=spec.image,
        key_name=spec.key_name,
        availability_zone=spec.requested_zone,
        config_drive=spec.config_drive,
        metadata=dict(spec.metadata),
        description=spec.description,
        tags=list(spec.tags),
        user_id=spec.user_id,
        locked=spec.locked,
        locked_reason=spec.locked_reason,
    )
    server_status = ServerStatus(
        status=spec.status,
        vm_state=spec.vm_state,
        task_state=None,
        power_state=spec.power_state,
        host=spec.host,
        hypervisor_hostname=spec.hypervisor_hostname,
        availability_zone=spec.availability_zone,
        fault=spec.fault,
        flavor=spec.flavor,
        image_id=spec.image_id,
        vm_name=spec.vm_name,
        launched_at=spec.launched_at,
        updated_at=spec.terminated_at,
        actions=list(spec.actions),
    )
    return Server(metadata=metadata, spec=server_spec, status=server_status)


def parse_time(stamp: str) -> datetime:
    parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def expires_at(record: ServerRecord, retention_seconds: float) -> datetime:
    """When ``record`` is due for removal: its terminated time plus the retention period."""
    return parse_time(record.spec.terminated_at) + timedelta(seconds=retention_seconds)


def is_deleted(server: Server) -> bool:
    """Whether ``server`` stands for a record (a deleted server), not a live Server."""
    return server.status.vm_state is VmState.DELETED
