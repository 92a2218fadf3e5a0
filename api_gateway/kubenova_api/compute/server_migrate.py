"""migrate (cold migration): Nova's checks (``migrate_server.py`` and ``compute/api.py``
``resize`` with no flavor), then the spec intent for the operator.

Order as Nova's: the ``migrate`` policy (the router), the ``migrate:host`` policy when a host is
given (admin only by default: 403), the lock and the state (409), then the target host (400
``ComputeHostNotFound`` / ``CannotMigrateToSameHost``: ``domain.migration_rules``) →
``spec.migrate`` with the request id and the host, in one conditional patch with the inbox entry.
The operator then moves the server as a resize to the same flavor (VERIFY_RESIZE, confirm or
revert); NoValidHost fails the ``migrate`` action with a migration record in ``error``.
"""

from __future__ import annotations

from kubenova.domain import actions, migration_rules
from kubenova_api import errors, policy
from kubenova_api.compute import guards
from kubenova_api.compute.access import ServerAccess
from kubenova_api.compute.server_actions import write_intent
from kubenova_api.context import RequestContext
from kubenova_api.store import Store

MIGRATE = actions.SERVER_ACTIONS["migrate"]
HOST_RULE = "os_compute_api:os-migrate-server:migrate:host"


async def migrate(store: Store, ctx: RequestContext, found: ServerAccess, host: str | None) -> None:
    server = found.server
    if host is not None:
        policy.authorize(ctx, HOST_RULE, project_id=found.project_id)
    guards.check(MIGRATE, ctx, server)
    refused = migration_rules.target_host_refusal(server, host, (h.name for h in store.nodes.all()))
    if refused is not None:
        raise errors.BadRequestError(refused)
    request: dict[str, object] = {"requestId": ctx.request_id}
    if host is not None:
        request["host"] = host
    await write_intent(store, ctx, server, MIGRATE, lambda _: {"migrate": request})
