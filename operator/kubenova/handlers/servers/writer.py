"""Reading a Server and writing its status: the read → decide → patch loop every operation uses.

Callers hold the Server's lock (``Runtime.locks``), so within this process nothing else writes
the status in between; the patch is still conditional on ``resourceVersion`` and retried on a
conflict, so a stale read can never overwrite a newer status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kubenova import events, k8s, status
from kubenova.handlers.runtime import Runtime, ServerRef
from kubenova.resources.server import Server

LOG = logging.getLogger(__name__)
CONFLICT_ATTEMPTS = 5

Decide = Callable[[Server], status.Transition | None]


def now() -> str:
    """The current time as the API shows it (ISO 8601, UTC, seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def read(runtime: Runtime, ref: ServerRef) -> Server | None:
    """The Server as stored now, or ``None`` if it is gone."""
    try:
        body = await runtime.client.get(k8s.SERVERS, ref.name, ref.namespace)
    except k8s.NotFound:
        return None
    return Server.model_validate(body)


async def apply(
    runtime: Runtime, ref: ServerRef, decide: Decide, *, current: Server | None = None
) -> Server | None:
    """Read the Server, let ``decide`` choose a transition, persist it and announce it.

    ``current`` is a copy the caller just read (saves the first read). Returns the Server as it
    is after the write (or unchanged when ``decide`` chose nothing); ``None`` if it is gone.
    """
    for _ in range(CONFLICT_ATTEMPTS):
        server = current if current is not None else await read(runtime, ref)
        current = None
        if server is None:
            return None
        transition = decide(server)
        if transition is None:
            return server
        patch = status.render(server, transition, now=now(), actions_limit=runtime.settings.actions_limit)
        if patch is None:
            return server
        try:
            updated = await patch_status(runtime, server, patch)
        except k8s.Conflict:
            continue
        except k8s.NotFound:
            return None
        LOG.info("Server %s: %s (%s)", ref, transition.reason, transition.message)
        events.post(updated, reason=transition.reason, message=transition.message, warning=transition.warning)
        return updated
    raise k8s.Conflict(409, "Conflict", f"Server {ref} kept changing while its status was written")


async def patch_status(runtime: Runtime, server: Server, patch: dict[str, Any]) -> Server:
    """Merge ``patch`` into the status, only if the Server is still at the version we read."""
    body = {"metadata": {"resourceVersion": server.metadata.resource_version}, "status": patch}
    result = await runtime.client.merge_patch(
        k8s.SERVERS, server.metadata.name, body, server.metadata.namespace, subresource="status"
    )
    return Server.model_validate(result)
