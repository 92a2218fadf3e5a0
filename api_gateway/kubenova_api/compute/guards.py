"""The action table (``kubenova.domain.actions``) applied to a server as the API shows it.

A row's lock check and state check run against the state with the pending task overlaid
(``domain.pending``), so a second os-stop right after the first is refused as Nova refuses it.
Refusals are domain errors (``InstanceLocked``, ``InstanceInvalidState``); ``faults`` answers
them with Nova's 409.
"""

from __future__ import annotations

from kubenova.domain import pending
from kubenova.domain.actions import ServerAction
from kubenova.resources import Server
from kubenova_api.context import RequestContext


def check_lock(row: ServerAction, ctx: RequestContext, server: Server) -> None:
    row.check_lock_of(server_id=server.server_id, locked=server.spec.locked, is_admin=ctx.is_admin)


def check_state(row: ServerAction, server: Server) -> None:
    row.check(
        server_id=server.server_id,
        vm_state=pending.vm_state(server),
        task_state=pending.task_state(server),
        launched=bool(server.status.launched_at),
    )


def check(row: ServerAction, ctx: RequestContext, server: Server) -> None:
    """Nova's order: the lock (``check_instance_lock``), then the state (``check_instance_state``)."""
    check_lock(row, ctx, server)
    check_state(row, server)
