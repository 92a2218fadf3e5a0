"""migrate (cold migration), os-migrateLive, and the abort and force_complete of a live
migration. migrate: Nova's checks (``migrate_server.py`` and ``compute/api.py``
``resize`` with no flavor), then the spec intent for the operator.

Order as Nova's: the ``migrate`` policy (the router), the ``migrate:host`` policy when a host is
given (admin only by default: 403), the lock and the state (409), then the target host (400
``ComputeHostNotFound`` / ``CannotMigrateToSameHost``: ``domain.migration_rules``) →
``spec.migrate`` with the request id and the host, in one conditional patch with the inbox entry.
The operator then moves the server as a resize to the same flavor (VERIFY_RESIZE, confirm or
revert); NoValidHost fails the ``migrate`` action with a migration record in ``error``.
"""

from __future__ import annotations

from kubenova.domain import actions, migration_rules, pending
from kubenova.resources import Server
from kubenova.resources.states import TaskState
from kubenova_api import errors, policy
from kubenova_api.compute import guards
from kubenova_api.compute.access import ServerAccess
from kubenova_api.compute.server_actions import write_intent
from kubenova_api.context import RequestContext
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.migrate_server import LiveMigrate
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


LIVE = actions.SERVER_ACTIONS["os-migrateLive"]
LIVE_HOST_RULE = "os_compute_api:os-migrate-server:migrate_live:host"
ABORT_NAME = "abort live migration"
NO_FORCE_COMPLETE = (
    "The requested functionality is not supported: KubeVirt cannot switch a migration under way "
    "to post-copy or pause the guest to complete it (post-copy is chosen by a MigrationPolicy "
    "before the migration starts)."
)


async def live_migrate(store: Store, ctx: RequestContext, found: ServerAccess, wanted: LiveMigrate) -> None:
    """os-migrateLive: the ``migrate_live:host`` policy for a host, lock and state (409), the host
    (400) → ``spec.liveMigrate`` with the inbox entry."""
    server = found.server
    if wanted.host is not None:
        policy.authorize(ctx, LIVE_HOST_RULE, project_id=found.project_id)
    guards.check(LIVE, ctx, server)
    hosts = (h.name for h in store.nodes.all())
    refused = migration_rules.live_target_refusal(server, wanted.host, hosts)
    if refused is not None:
        raise errors.BadRequestError(refused)
    request: dict[str, object] = {"requestId": ctx.request_id, "force": wanted.force}
    if wanted.host is not None:
        request["host"] = wanted.host
    await write_intent(store, ctx, server, LIVE, lambda _: {"liveMigrate": request})


def _in_progress(
    store: Store, server: Server, migration_id: str, method: str, allowed: frozenset[str]
) -> None:
    """Nova's checks of a migration an abort or force_complete names: the server migrating (409),
    the migration the server's (400/404 by the caller), live and in an allowed status (400)."""
    task = pending.task_state(server)
    if task is not TaskState.MIGRATING:
        shown = task.value if task is not None else None
        raise errors.ConflictError(
            f"Cannot '{method}' instance {server.server_id} while it is in task_state {shown}"
        )
    migration = next(
        (m for m in store.migrations.of_server(server.server_id) if str(m.spec.id) == migration_id), None
    )
    if migration is None:
        raise errors.NotFoundError(f"Migration {migration_id} not found for instance {server.server_id}")
    if migration.spec.migration_type != "live-migration" or migration.spec.status not in allowed:
        raise errors.BadRequestError(
            f"Migration {migration_id} state of instance {server.server_id} is {migration.spec.status}. "
            f"Cannot {method} while the migration is in this state."
        )


async def abort(
    store: Store, ctx: RequestContext, found: ServerAccess, migration_id: str, version: APIVersion
) -> None:
    """DELETE /servers/{id}/migrations/{id} (2.24; queued/preparing ones from 2.65) →
    ``spec.liveMigrationAbort``: the operator deletes the VMIM, KubeVirt aborts the migration."""
    server = found.server
    guards.check_lock(LIVE, ctx, server)
    allowed = {migration_rules.RUNNING}
    if version >= "2.65":
        allowed |= {migration_rules.QUEUED, migration_rules.PREPARING}
    _in_progress(store, server, migration_id, ABORT_NAME, frozenset(allowed))
    request = {"requestId": ctx.request_id, "migrationId": int(migration_id)}
    await store.servers.modify(server, lambda _: {"spec": {"liveMigrationAbort": request}})


def force_complete(store: Store, ctx: RequestContext, found: ServerAccess, migration_id: str) -> None:
    """POST /servers/{id}/migrations/{id}/action force_complete (2.22): Nova's checks, then 400:
    KubeVirt has no on-demand switch to post-copy (Nova's libvirt driver switches or pauses)."""
    guards.check_lock(LIVE, ctx, found.server)
    _in_progress(store, found.server, migration_id, "force_complete", frozenset({migration_rules.RUNNING}))
    raise errors.BadRequestError(NO_FORCE_COMPLETE)
