"""The request inbox: how an API request's id and user reach the one action log.

The action log (``status.actions``) has one writer, the operator. The gateway writes a spec intent
and, in the same patch, appends the request to the Server's ``compute.kubenova.io/requests``
annotation; the operator records every inbox entry that ``status.actions`` does not hold yet. Only
the gateway writes the inbox: it drops entries the log already holds, and keeps at most ``LIMIT``.
A spec change made with kubectl has no entry; the operator records it under a fresh id.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable

from pydantic import TypeAdapter, ValidationError

from kubenova.domain import names
from kubenova.resources.base import CamelModel
from kubenova.resources.server import InstanceAction, Server

LIMIT = 20


class Request(CamelModel):
    """One API request waiting to be recorded."""

    action: str
    request_id: str
    user_id: str | None = None
    start_time: str


_INBOX = TypeAdapter(list[Request])


def inbox(server: Server) -> list[Request]:
    """The entries of the server's inbox, oldest first (an unreadable inbox counts as empty)."""
    raw = server.metadata.annotations.get(names.REQUESTS_ANNOTATION)
    if not raw:
        return []
    try:
        return _INBOX.validate_json(raw)
    except ValidationError:
        return []


def unrecorded(server: Server) -> list[Request]:
    """The inbox entries ``status.actions`` does not hold yet."""
    recorded = {(a.action, a.request_id) for a in server.status.actions}
    return [r for r in inbox(server) if (r.action, r.request_id) not in recorded]


def with_request(server: Server | None, request: Request) -> str:
    """The inbox annotation value after appending ``request`` (recorded entries dropped first)."""
    kept = unrecorded(server) if server is not None else []
    return encode([*kept, request][-LIMIT:])


def encode(requests: Iterable[Request]) -> str:
    return json.dumps([r.to_api() for r in requests], separators=(",", ":"))


def as_action(request: Request) -> InstanceAction:
    """An inbox entry as an (unfinished) instance action."""
    return InstanceAction(
        action=request.action,
        request_id=request.request_id,
        user_id=request.user_id,
        start_time=request.start_time,
    )


def new_request_id() -> str:
    """A Nova request id for a change that came without one (kubectl)."""
    return f"req-{uuid.uuid4()}"
