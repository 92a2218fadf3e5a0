"""``evacuate`` (Nova's ``api/openstack/compute/evacuate.py`` and ``compute/api.py``
``evacuate``): rebuild a server whose host is down on another host, from its persistent disk.

Order as Nova's: the body (the router, per microversion), the server (404), the
``os_compute_api:os-evacuate`` policy (admin: 403), a forced evacuation without a host (400, the
schema module), the target host a compute host (404 ``Compute host <host> not found.``) other
than the server's (400), the state (409: ACTIVE, STOPPED or ERROR, idle; no lock check, as
Nova's), the server's host down or forced down (400 ``ComputeServiceInUse``:
``domain.migration_rules``) → ``spec.evacuate`` with the request id, the host, force and, from
2.95, ``stopped`` (with ``spec.powerState: Stopped``: the server ends stopped) in one
conditional patch with the inbox entry. The operator carries it out (``handlers/servers/
evacuate.py``).

The answer is 200: ``{"adminPass": ...}`` before 2.14 (the one given, else a generated one unless
``onSharedStorage``, as Nova's with ``enable_instance_password`` on), no body from 2.14. The
guest does not receive that password: its root disk is kept (as on Nova's shared storage), and
kubenova injects no password (as for rebuild and rescue).
"""

from __future__ import annotations

import secrets
import string

from kubenova.domain import actions, migration_rules
from kubenova.resources.server import DesiredPowerState
from kubenova_api import errors
from kubenova_api.compute import guards
from kubenova_api.compute.access import ServerAccess
from kubenova_api.compute.server_actions import write_intent
from kubenova_api.context import RequestContext
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.server_evacuate import Evacuate
from kubenova_api.store import Store

EVACUATE = actions.SERVER_ACTIONS["evacuate"]
ADMIN_PASS_LENGTH = 12
SHARED_STORAGE_PASSWORD = "admin password can't be changed on existing disk"


def _password(wanted: Evacuate) -> str | None:
    """Nova's ``_get_password`` (before 2.14) and ``_get_password_v214``."""
    if wanted.admin_pass is not None:
        if wanted.on_shared_storage:
            raise errors.BadRequestError(SHARED_STORAGE_PASSWORD)
        return wanted.admin_pass
    if wanted.on_shared_storage:
        return None
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(ADMIN_PASS_LENGTH))


async def evacuate(
    store: Store, ctx: RequestContext, found: ServerAccess, wanted: Evacuate, version: APIVersion
) -> str | None:
    """Write the intent; the password the answer shows (before 2.14)."""
    server = found.server
    password = _password(wanted)
    nodes = list(store.nodes.all())
    if wanted.host is not None and wanted.host not in {n.name for n in nodes}:
        raise errors.NotFoundError(migration_rules.evacuate_host_not_found(wanted.host))
    if wanted.host is not None and wanted.host == server.status.host:
        raise errors.BadRequestError(migration_rules.EVACUATE_SAME_HOST)
    guards.check(EVACUATE, ctx, server)
    refused = migration_rules.evacuate_refusal(server, (n.name for n in nodes if n.is_up))
    if refused is not None:
        raise errors.BadRequestError(refused)
    stopped = version >= "2.95"
    request: dict[str, object] = {"requestId": ctx.request_id, "force": wanted.force, "stopped": stopped}
    if wanted.host is not None:
        request["host"] = wanted.host
    intent: dict[str, object] = {"evacuate": request}
    if stopped:
        intent["powerState"] = DesiredPowerState.STOPPED.value
    await write_intent(store, ctx, server, EVACUATE, lambda _: intent)
    return password
