"""Pure: a change of a Server's Nova state (``Transition``) and the one status patch it becomes.

``render`` is the only place that derives ``status.status`` (through ``domain.status_table``) and
stamps ``updatedAt``, so no writer can forget either; it also keeps the action record
(``status.actions``) and turns maps and faults into merge-patch values that *replace*.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from kubenova.domain.status_table import api_status
from kubenova.resources.server import InstanceAction, PowerStateName, Server, ServerFault
from kubenova.resources.states import TaskState, VmState


@dataclass(frozen=True)
class ActionStart:
    """Open a new entry in ``status.actions``."""

    action: str
    request_id: str
    user_id: str | None = None
    start_time: str | None = None
    """When the request was made (the gateway's inbox entry); ``None``: now."""
    result: Literal["Success", "Error"] = "Success"
    """For a request recorded as finished at once (``Transition.recorded``): its outcome."""
    message: str | None = None


@dataclass(frozen=True)
class ActionFinish:
    """Close the latest open entry of ``action`` with a result."""

    action: str
    result: Literal["Success", "Error"]
    message: str | None = None


@dataclass(frozen=True)
class Transition:
    """A change of a Server's Nova state and the Kubernetes Event that announces it.

    ``vm_state``/``task_state`` are always set together (task ``None`` = idle); ``power_state``
    ``None`` leaves it unchanged; ``fields`` are further camelCase status fields (``None``
    removes one).
    """

    vm_state: VmState
    task_state: TaskState | None
    reason: str
    message: str
    power_state: PowerStateName | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    start_action: ActionStart | None = None
    finish_action: ActionFinish | None = None
    fault: Fault | None = None
    launched: bool = False
    """Stamp ``launchedAt`` (if not yet set): the server has become ACTIVE for the first time."""
    warning: bool = False
    recorded: tuple[ActionStart, ...] = ()
    """Requests recorded as finished at once: lock and unlock change nothing to carry out (Success);
    suspend and resume, which KubeVirt cannot carry out, fail (Error)."""
    announce: bool = True
    """Post a Kubernetes Event for it (``False`` for bookkeeping that is no state change)."""

    def recording(self, requests: tuple[ActionStart, ...]) -> Transition:
        """This transition, also recording ``requests`` as finished at once."""
        return dataclasses.replace(self, recorded=self.recorded + requests) if requests else self


@dataclass(frozen=True)
class Fault:
    """Why a server is in ERROR; becomes ``status.fault`` stamped with the time."""

    message: str
    details: str | None = None
    code: int = 500


def render(
    server: Server, transition: Transition, *, now: str, actions_limit: int = 100
) -> dict[str, Any] | None:
    """The ``status`` merge patch for ``transition``, or ``None`` if it changes nothing."""
    current = server.status.to_api()
    wanted: dict[str, Any] = {
        "vmState": transition.vm_state.value,
        "taskState": transition.task_state.value if transition.task_state else None,
        "status": api_status(transition.vm_state, transition.task_state),
        **dict(transition.fields),
    }
    if transition.task_state is None:
        wanted.setdefault("task", None)  # status.task lives exactly as long as the task
    if transition.power_state is not None:
        wanted["powerState"] = transition.power_state.value
    if transition.fault is not None:
        wanted["fault"] = ServerFault(
            code=transition.fault.code,
            message=transition.fault.message,
            details=transition.fault.details,
            created=now,
        ).to_api()
    if transition.launched and server.status.launched_at is None:
        wanted["launchedAt"] = now
    actions = _actions(server.status.actions, transition, now, actions_limit)
    if actions is not None:
        wanted["actions"] = actions
    patch = {
        key: _replacing(current.get(key), value) for key, value in wanted.items() if current.get(key) != value
    }
    if not patch:
        return None
    patch["updatedAt"] = now
    return patch


def _replacing(old: Any, new: Any) -> Any:
    """``new`` as a merge-patch value that *replaces* ``old``: keys only ``old`` has become ``None``."""
    if isinstance(old, dict) and isinstance(new, dict):
        merged = {key: None for key in old if key not in new}
        merged.update({key: _replacing(old.get(key), value) for key, value in new.items()})
        return merged
    return new


def _actions(
    actions: list[InstanceAction], transition: Transition, now: str, limit: int
) -> list[dict[str, Any]] | None:
    if transition.start_action is None and transition.finish_action is None and not transition.recorded:
        return None
    records = [a.model_copy() for a in actions]
    start = transition.start_action
    if start is not None and not _holds(records, start):
        records.append(_record(start, now))
    for done in transition.recorded:
        if not _holds(records, done):
            finished = {"finish_time": now, "result": done.result, "message": done.message}
            records.append(_record(done, now).model_copy(update=finished))
    finish = transition.finish_action
    if finish is not None:
        for record in reversed(records):
            if record.action == finish.action and record.finish_time is None:
                record.finish_time, record.result, record.message = now, finish.result, finish.message
                break
    return [a.to_api() for a in records[-limit:]]


def _holds(records: list[InstanceAction], start: ActionStart) -> bool:
    return any(a.request_id == start.request_id and a.action == start.action for a in records)


def _record(start: ActionStart, now: str) -> InstanceAction:
    return InstanceAction(
        action=start.action,
        request_id=start.request_id,
        user_id=start.user_id,
        start_time=start.start_time or now,
    )
