"""Writing a Server: its status (decide → one patch) and the operator's finalizer.

Callers hold the Server's lock (``Runtime.locks``) and pass the freshest copy the view has (our
own last write included), so within this process nothing else writes in between. Each patch is
still conditional on ``resourceVersion``: a spec change made meanwhile (kubectl, the gateway)
makes it fail with 409, and the decision is taken again on a fresh read — the only GET here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kubenova import k8s, status
from kubenova.handlers.cluster_view import SERVERS, ServerRef
from kubenova.handlers.runtime import Runtime
from kubenova.resources.server import Server
from kubenova.status import action_records

LOG = logging.getLogger(__name__)
CONFLICT_ATTEMPTS = 5

Decide = Callable[[Server], status.Transition | None]


def now() -> str:
    """The current time as the API shows it (ISO 8601, UTC, seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ref_of(server: Server) -> ServerRef:
    return ServerRef(server.metadata.namespace or "", server.metadata.name)


async def read(runtime: Runtime, ref: ServerRef) -> Server | None:
    """The Server as stored now (``None`` if gone): only after a write found it changed."""
    try:
        body = await runtime.client.get(k8s.SERVERS, ref.name, ref.namespace)
    except k8s.NotFound:
        return None
    return Server.model_validate(body)


async def apply(runtime: Runtime, server: Server, decide: Decide) -> Server | None:
    """Let ``decide`` choose a transition for ``server``, persist it and announce it.

    Requests waiting in the inbox with nothing to carry out (lock, unlock) are recorded in the
    same write. Returns the Server as it is after the write (or unchanged when ``decide`` chose
    nothing); ``None`` if it is gone.
    """
    ref, current = ref_of(server), server
    for _ in range(CONFLICT_ATTEMPTS):
        transition = decide(current)
        if transition is None:
            return current
        transition = transition.recording(action_records.recorded_at_once(current))
        patch = status.render(current, transition, now=now(), actions_limit=runtime.settings.actions_limit)
        if patch is None:
            return current
        try:
            updated = await patch_status(runtime, current, patch)
        except k8s.Conflict:
            LOG.info("Server %s changed while its status was written; deciding again", ref)
            fresh = await read(runtime, ref)
            if fresh is None:
                return None
            runtime.view.remember(SERVERS, ref, fresh)
            current = fresh
            continue
        except k8s.NotFound:
            return None
        runtime.view.remember(SERVERS, ref, updated)
        LOG.info("Server %s: %s (%s)", ref, transition.reason, transition.message)
        if transition.announce:
            runtime.events.post(
                updated, reason=transition.reason, message=transition.message, warning=transition.warning
            )
        return updated
    raise k8s.Conflict(409, "Conflict", f"Server {ref} kept changing while its status was written")


async def patch_status(runtime: Runtime, server: Server, patch: dict[str, Any]) -> Server:
    """Merge ``patch`` into the status, only if the Server is still at the version we read."""
    body = {"metadata": {"resourceVersion": server.metadata.resource_version}, "status": patch}
    result = await runtime.client.merge_patch(
        k8s.SERVERS, server.metadata.name, body, server.metadata.namespace, subresource="status"
    )
    return Server.model_validate(result)


async def set_finalizer(runtime: Runtime, server: Server, *, present: bool) -> Server | None:
    """Add (or remove) the operator's finalizer; ``None`` if the Server is gone."""
    ref, current, finalizer = ref_of(server), server, runtime.settings.finalizer
    for _ in range(CONFLICT_ATTEMPTS):
        others = [f for f in current.metadata.finalizers if f != finalizer]
        wanted = [*others, finalizer] if present else others
        if wanted == current.metadata.finalizers:
            return current
        # A merge patch replaces the whole list: conditional, so nobody else's finalizer is lost.
        patch = {"metadata": {"finalizers": wanted, "resourceVersion": current.metadata.resource_version}}
        try:
            result = await runtime.client.merge_patch(k8s.SERVERS, ref.name, patch, ref.namespace)
        except k8s.Conflict:
            fresh = await read(runtime, ref)
            if fresh is None:
                return None
            current = fresh
            continue
        except k8s.NotFound:
            return None
        updated = Server.model_validate(result)
        runtime.view.remember(SERVERS, ref, updated)
        return updated
    raise k8s.Conflict(409, "Conflict", f"Server {ref} kept changing while its finalizer was set")
