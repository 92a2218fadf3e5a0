"""The request each spec intent carries to the operator (``kubenova.domain.requests``).

The gateway never writes the action log (``status.actions``, the operator's). With every spec
intent it appends the API request (action, request id, user, start time) to the Server's inbox
annotation in the same conditional patch; the operator records it, and until then the
instance-action views show the entry as started (``requests.unrecorded``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from kubenova.domain import names, requests
from kubenova.resources import Server
from kubenova_api.context import RequestContext


def now() -> str:
    """The current time as the operator writes it (ISO 8601, UTC, seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def precise_now() -> str:
    """The current time with microseconds (UTC), for ordering by creation."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_request(ctx: RequestContext, action: str) -> requests.Request:
    """This API request as an inbox entry for ``action``."""
    return requests.Request(action=action, request_id=ctx.request_id, user_id=ctx.user_id, start_time=now())


def appended(server: Server | None, request: requests.Request) -> dict[str, str]:
    """The annotations appending ``request`` to ``server``'s inbox (``None``: a server to create)."""
    return {names.REQUESTS_ANNOTATION: requests.with_request(server, request)}
