"""``os-instance-actions`` bodies, from the records ``compute.server_instance_actions`` lists.

Nova's actions have events (the compute-manager steps). The operator records one step per
action, so each operator-run action shows one event named as Nova names that step; lock, unlock
and resetState, which never reach a compute host in Nova either, have none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubenova.resources import Server
from kubenova_api.microversions import APIVersion
from kubenova_api.views.server_fields import host_id, naive_time

_EVENTS = {
    "create": "compute__do_build_and_run_instance",
    "stop": "compute_stop_instance",
    "start": "compute_start_instance",
    "reboot": "compute_reboot_instance",
    "pause": "compute_pause_instance",
    "unpause": "compute_unpause_instance",
    "suspend": "compute_suspend_instance",
    "resume": "compute_resume_instance",
    "rebuild": "compute_rebuild_instance",
    "createImage": "compute_snapshot_instance",
    "createBackup": "compute_backup_instance",
    "delete": "compute_terminate_instance",
    "restore": "compute_restore_instance",
    "rescue": "compute_rescue_instance",
    "unrescue": "compute_unrescue_instance",
    "migrate": "compute_resize_instance",
    "live-migration": "compute_live_migration",
    "evacuate": "compute_rebuild_instance",
    "shelve": "compute_shelve_instance",
    "shelveOffload": "compute_shelve_offload_instance",
    "unshelve": "compute_unshelve_instance",
}
_SCHEDULE_EVENT = "conductor_schedule_and_build_instances"
_NO_VALID_HOST = "No valid host was found."


@dataclass(frozen=True)
class ActionRecord:
    """One instance action as the API shows it."""

    action: str
    request_id: str
    user_id: str | None
    start_time: str
    finish_time: str | None
    result: str | None
    message: str | None
    carried_out: bool
    """Whether the operator has recorded it (then it has an event); an inbox entry not yet
    recorded is shown started and unfinished."""

    @property
    def updated_at(self) -> str:
        return self.finish_time or self.start_time


def item(record: ActionRecord, server: Server, project_id: str, version: APIVersion) -> dict[str, Any]:
    """A list entry: Nova's action keys (``updated_at`` from 2.58)."""
    body: dict[str, Any] = {
        "action": record.action,
        "instance_uuid": server.server_id,
        "request_id": record.request_id,
        "user_id": record.user_id,
        "project_id": project_id,
        "start_time": naive_time(record.start_time),
        # Nova's action message is "Error" when a step failed; the reason is in the event.
        "message": "Error" if record.result == "Error" else None,
    }
    if version >= "2.58":
        body["updated_at"] = naive_time(record.updated_at)
    return body


@dataclass(frozen=True)
class EventOptions:
    """Which event fields the caller may see (Nova's instance-action event policies)."""

    traceback: bool
    host: bool
    host_id: bool
    details: bool


def detail(
    record: ActionRecord,
    server: Server,
    project_id: str,
    version: APIVersion,
    events: EventOptions | None,
) -> dict[str, Any]:
    """``GET .../os-instance-actions/{request_id}``: the action with its events (if allowed)."""
    body = item(record, server, project_id, version)
    if events is not None:
        body["events"] = [_event(record, server, project_id, events)] if _has_event(record) else []
    return body


def _has_event(record: ActionRecord) -> bool:
    return record.carried_out and record.action in _EVENTS


def _event(record: ActionRecord, server: Server, project_id: str, options: EventOptions) -> dict[str, Any]:
    host = server.status.host
    name = _EVENTS[record.action]
    if record.action == "create" and record.result == "Error" and not host:
        name = _SCHEDULE_EVENT  # it failed before any host was chosen: the conductor's step
    if record.action == "unshelve" and record.result == "Error" and not host:
        name = "schedule_instances"  # the conductor's EventReporter of an unshelve's scheduling
    if record.action in ("rebuild", "evacuate") and record.result == "Error" and _no_valid_host(record):
        name = "rebuild_server"  # the conductor's EventReporter: its scheduling found no host
    failed = record.result == "Error"
    event: dict[str, Any] = {
        "event": name,
        "start_time": naive_time(record.start_time),
        "finish_time": naive_time(record.finish_time),
        "result": record.result,
    }
    if options.traceback:
        event["traceback"] = record.message if failed else None
    if options.host:
        event["host"] = host
    if options.host_id:
        event["hostId"] = host_id(project_id, host)
    if options.details:
        event["details"] = record.message if failed else None
    return event


def _no_valid_host(record: ActionRecord) -> bool:
    return (record.message or "").startswith(_NO_VALID_HOST)
