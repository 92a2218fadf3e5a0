"""Writing a Server: its status (decide → one patch) and the operator's finalizer.

Callers hold the Server's lock (``Runtime.locks``) and pass the freshest copy the view has (our
own last write included), so within this process nothing else writes in between. Each patch is
still conditional on ``resourceVersion`` (``k8s.Client.modify``): a spec change made meanwhile
(kubectl, the gateway) makes it fail with 409, and the decision is taken again on a fresh read —
the only GET here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kubenova import k8s, status
from kubenova.domain import names
from kubenova.handlers.cluster_view import SERVERS
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.view_keys import ServerRef
from kubenova.resources.server import Server
from kubenova.status import action_records

LOG = logging.getLogger(__name__)

Decide = Callable[[Server], status.Transition | None]


def now() -> str:
    """The current time as the API shows it (ISO 8601, UTC, seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ref_of(server: Server) -> ServerRef:
    return ServerRef(server.metadata.namespace or "", server.metadata.name)


async def apply(runtime: Runtime, server: Server, decide: Decide) -> Server | None:
    """Let ``decide`` choose a transition for ``server``, persist it and announce it.

    Requests waiting in the inbox with nothing to carry out (lock, unlock) are recorded in the
    same write. The patch is conditional (``k8s.Client.modify``): after a conflict the decision is
    taken again on the Server as stored now. Returns the Server as it is after the write (or
    unchanged when ``decide`` chose nothing); ``None`` if it is gone.
    """
    ref = ref_of(server)
    chosen: list[status.Transition] = []

    def build(raw: dict[str, Any]) -> dict[str, Any] | None:
        current = server if raw is start else Server.model_validate(raw)
        chosen.clear()
        transition = decide(current)
        if transition is None:
            return None
        transition = transition.recording(action_records.recorded_at_once(current))
        patch = status.render(current, transition, now=now(), actions_limit=runtime.settings.actions_limit)
        if patch is None:
            return None
        chosen.append(transition)
        return {"status": patch}

    start = _identity(server)
    try:
        result = await runtime.client.modify(
            k8s.SERVERS, ref.name, build, ref.namespace, current=start, subresource="status"
        )
    except k8s.NotFound:
        return None
    if not chosen:
        return server if result is start else Server.model_validate(result)
    updated = Server.model_validate(result)
    runtime.view.remember(SERVERS, ref, updated)
    transition = chosen[0]
    LOG.info("Server %s: %s (%s)", ref, transition.reason, transition.message)
    if transition.announce:
        runtime.events.post(
            updated, reason=transition.reason, message=transition.message, warning=transition.warning
        )
    return updated


async def set_finalizer(runtime: Runtime, server: Server, *, present: bool) -> Server | None:
    """Add (or remove) the operator's finalizer; ``None`` if the Server is gone.

    A merge patch replaces the whole list, so it is conditional: nobody else's finalizer is lost.
    """
    ref, finalizer = ref_of(server), names.SERVER_FINALIZER

    def build(raw: dict[str, Any]) -> dict[str, Any] | None:
        current = (raw.get("metadata") or {}).get("finalizers") or []
        others = [f for f in current if f != finalizer]
        wanted = [*others, finalizer] if present else others
        return None if wanted == current else {"metadata": {"finalizers": wanted}}

    start = _identity(server)
    start["metadata"]["finalizers"] = list(server.metadata.finalizers)
    try:
        result = await runtime.client.modify(k8s.SERVERS, ref.name, build, ref.namespace, current=start)
    except k8s.NotFound:
        return None
    if result is start:
        return server
    updated = Server.model_validate(result)
    runtime.view.remember(SERVERS, ref, updated)
    return updated


def _identity(server: Server) -> dict[str, Any]:
    """What ``Client.modify`` needs of the copy we hold: its uid and resourceVersion."""
    return {"metadata": {"uid": server.metadata.uid, "resourceVersion": server.metadata.resource_version}}
