"""Pure: which request an entry of the action log (``status.actions``) carries.

The gateway appends each API request to the Server's inbox (``domain.requests``) in the same patch
as its spec intent. An operation that starts an action (create, stop, start, reboot, delete)
records the oldest inbox entry of that action the log does not hold yet; a change without one
(kubectl) gets a fresh request id and ``spec.userId``. Requests with nothing for the operator to
carry out (lock, unlock) are recorded as finished at once, with the next status write; so are
suspend and resume, as failed (KubeVirt has no suspend-to-disk: Nova's answer when the driver
lacks it is an accepted request whose action fails, the server staying as it was).
"""

from __future__ import annotations

import dataclasses

from kubenova.domain import requests
from kubenova.domain.actions import SERVER_ACTIONS, Intent
from kubenova.resources.server import Server
from kubenova.status.state_change import ActionStart

_FINISHED_AT_ONCE = frozenset(
    row.name for row in SERVER_ACTIONS.values() if row.intent in (Intent.LOCK, Intent.UNLOCK)
)
_FAILED_AT_ONCE = frozenset(
    row.name for row in SERVER_ACTIONS.values() if row.intent is Intent.HYPERVISOR_CANNOT
)
RECORDED_AT_ONCE = _FINISHED_AT_ONCE | _FAILED_AT_ONCE

NO_SUSPEND = (
    "KubeVirt cannot suspend a virtual machine to disk (the driver does not implement suspend); "
    "use pause (keeps the memory on the host) or shelve (releases the host) instead."
)
"""Why suspend and resume fail: Nova's NotImplementedError, in words that say what to use."""


def start_of(server: Server, action: str, request_id: str | None = None) -> ActionStart:
    """The record an operation starting ``action`` opens: the inbox entry (the one with
    ``request_id`` when given, else the oldest), else a new request of ``spec.userId``."""
    waiting = [r for r in requests.unrecorded(server) if r.action == action]
    if request_id is not None:
        waiting = [r for r in waiting if r.request_id == request_id]
    if waiting:
        return _start(server, waiting[0])
    return ActionStart(action, request_id or requests.new_request_id(), server.spec.user_id)


def recorded_at_once(server: Server) -> tuple[ActionStart, ...]:
    """The inbox entries to record as finished with the next status write (lock, unlock)."""
    found = [r for r in requests.unrecorded(server) if r.action in RECORDED_AT_ONCE]
    return tuple(
        dataclasses.replace(_start(server, r), result="Error", message=NO_SUSPEND)
        if r.action in _FAILED_AT_ONCE
        else _start(server, r)
        for r in found
    )


def _start(server: Server, request: requests.Request) -> ActionStart:
    return ActionStart(
        request.action, request.request_id, request.user_id or server.spec.user_id, request.start_time
    )
