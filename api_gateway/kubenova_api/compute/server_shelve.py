"""shelve, shelveOffload and unshelve: Nova's checks (``compute/api.py``), then the spec intent.

- shelve: the row (lock; ACTIVE, SHUTOFF, PAUSED or SUSPENDED, idle) → ``spec.shelved: true``.
- shelveOffload (admin): the row (SHELVED, idle) → ``spec.shelveOffload`` with the request id.
- unshelve: the row (SHELVED or SHELVED_OFFLOADED, idle); with a zone (2.77) or a host (2.91) the
  server must be SHELVED_OFFLOADED (409); a zone must be available (400); a host needs
  ``os-shelve:unshelve_to_host`` (admin, 403), must exist (400) and be in the zone the server
  will have (409) → ``spec.shelved: false``, ``spec.powerState: Running`` (Nova's unshelve
  leaves the server ACTIVE), ``spec.unshelve`` {requestId, host}, and a zone given becomes
  ``spec.availabilityZone`` (``null``: unpinned), as Nova saves it in the request spec.
"""

from __future__ import annotations

from typing import Any

from kubenova.domain import actions, placement_request
from kubenova.resources import Server
from kubenova.resources.server import DesiredPowerState
from kubenova.resources.states import VmState
from kubenova_api import errors, policy
from kubenova_api.compute import guards, zones
from kubenova_api.compute.access import ServerAccess
from kubenova_api.compute.server_actions import write_intent
from kubenova_api.context import RequestContext
from kubenova_api.schemas.server_shelve import Unshelve
from kubenova_api.settings import Settings
from kubenova_api.store import Store

SHELVE = actions.SERVER_ACTIONS["shelve"]
OFFLOAD = actions.SERVER_ACTIONS["shelveOffload"]
UNSHELVE = actions.SERVER_ACTIONS["unshelve"]
INTENTS = frozenset({actions.Intent.SHELVE, actions.Intent.SHELVE_OFFLOAD, actions.Intent.UNSHELVE})
UNSHELVE_TO_HOST = "os_compute_api:os-shelve:unshelve_to_host"


async def shelve(store: Store, ctx: RequestContext, server: Server) -> None:
    await write_intent(store, ctx, server, SHELVE, lambda _: {"shelved": True})


async def shelve_offload(store: Store, ctx: RequestContext, server: Server) -> None:
    request = {"shelveOffload": {"requestId": ctx.request_id}}
    await write_intent(store, ctx, server, OFFLOAD, lambda _: request)


def _offloaded_only(server: Server) -> None:
    """Nova's ``UnshelveInstanceInvalidState``: a zone or host only for SHELVED_OFFLOADED."""
    state = server.status.vm_state
    if state is not VmState.SHELVED_OFFLOADED:
        raise errors.ConflictError(
            "Specifying an availability zone or a host when unshelving server "
            f'"{server.server_id}" with status "{state.value if state else None}" is not supported. '
            "The server status must be SHELVED_OFFLOADED."
        )


async def unshelve(
    store: Store, ctx: RequestContext, found: ServerAccess, wanted: Unshelve, settings: Settings
) -> None:
    server = found.server
    guards.check(UNSHELVE, ctx, server)
    if wanted.zone_given or wanted.host:
        _offloaded_only(server)
    default_zone = settings.default_availability_zone
    if wanted.zone_given and wanted.zone and wanted.zone not in zones.available(store, default_zone):
        raise errors.BadRequestError("The requested availability zone is not available")
    zone = wanted.zone if wanted.zone_given else placement_request.of_spec(server.spec).zone
    if wanted.host:
        policy.authorize(ctx, UNSHELVE_TO_HOST, project_id=found.project_id, user_id=server.spec.user_id)
        if store.nodes.get(wanted.host) is None:
            raise errors.BadRequestError(f"Compute host {wanted.host} could not be found.")
        if zone is not None and zones.zone_of(store, wanted.host, default_zone) != zone:
            raise errors.ConflictError(f'Host "{wanted.host}" is not in the availability zone "{zone}".')

    def spec(_: Server) -> dict[str, Any]:
        written: dict[str, Any] = {
            "shelved": False,
            "powerState": DesiredPowerState.RUNNING.value,
            "unshelve": {"requestId": ctx.request_id, "host": wanted.host},
        }
        if wanted.zone_given:
            written["availabilityZone"] = wanted.zone
        return written

    await write_intent(store, ctx, server, UNSHELVE, spec)
