"""resize, confirmResize and revertResize: Nova's checks, then the spec intent for the operator.

- resize: the row's state and lock checks, the flavor (400 "Unable to locate requested flavor."
  when it does not exist or the caller may not see it), Nova's 400s of ``compute/api.py``
  (``domain.resize_rules.api_refusal``: the same flavor, a flavor without a root disk), the
  quota of the growth only (403) → ``spec.flavor`` = the new Flavor and ``spec.resize`` with the
  request id, in one conditional patch with the inbox entry.
- confirmResize / revertResize: the RESIZED state → ``spec.resizeDecision``; a revert also puts
  ``spec.flavor`` back to the Flavor the server had (when it still exists), so the spec names the
  flavor the server will have.

A disk that would shrink passes here, as it passes Nova's API: the compute host refuses it, and so
does the operator (the ``resize`` action fails, the server stays as it was).
"""

from __future__ import annotations

from typing import Any

from kubenova.domain import actions, flavors, resize_rules
from kubenova.resources import Server
from kubenova_api import errors
from kubenova_api.compute import access, guards, quotas
from kubenova_api.compute.access import ServerAccess
from kubenova_api.compute.server_actions import write_intent
from kubenova_api.compute.server_create_checks import id_from_ref
from kubenova_api.context import RequestContext
from kubenova_api.settings import Settings
from kubenova_api.store import Store

RESIZE = actions.SERVER_ACTIONS["resize"]
CONFIRM = actions.SERVER_ACTIONS["confirmResize"]
REVERT = actions.SERVER_ACTIONS["revertResize"]


async def resize(
    store: Store, ctx: RequestContext, settings: Settings, found_server: ServerAccess, flavor_ref: str | int
) -> None:
    server = found_server.server
    guards.check(RESIZE, ctx, server)
    flavor_id = id_from_ref(str(flavor_ref))
    found = store.flavors.find(flavor_id)
    if found is None or not access.flavor_visible(ctx, found):
        raise errors.BadRequestError("Unable to locate requested flavor.")
    new = flavors.embed(found)
    current = server.status.flavor
    if current is None:
        named = store.flavors.crs.get(server.spec.flavor)
        current = flavors.embed(named) if named is not None else None
    if current is not None:
        refused = resize_rules.api_refusal(current, new)
        if refused is not None:
            raise errors.BadRequestError(refused)
        growth = resize_rules.quota_growth(current, new)
        if growth.cores or growth.ram:
            quotas.check(
                store,
                found_server.project_id,
                namespace=server.metadata.namespace,
                settings_defaults=settings.quotas,
                cores=growth.cores,
                ram=growth.ram,
            )
    request = {"flavor": found.metadata.name, "resize": {"requestId": ctx.request_id}}
    await write_intent(store, ctx, server, RESIZE, lambda _: request)


async def confirm(store: Store, ctx: RequestContext, server: Server) -> None:
    decision = {"resizeDecision": {"action": "Confirm", "requestId": ctx.request_id}}
    await write_intent(store, ctx, server, CONFIRM, lambda _: decision)


async def revert(store: Store, ctx: RequestContext, server: Server) -> None:
    def spec(current: Server) -> dict[str, Any]:
        wanted: dict[str, Any] = {"resizeDecision": {"action": "Revert", "requestId": ctx.request_id}}
        record = current.status.resize
        source = store.flavors.find(record.source_flavor.id) if record is not None else None
        if source is not None:
            wanted["flavor"] = source.metadata.name
        return wanted

    await write_intent(store, ctx, server, REVERT, spec)


INTENTS = frozenset({actions.Intent.RESIZE, actions.Intent.CONFIRM_RESIZE, actions.Intent.REVERT_RESIZE})


async def carry_out(
    store: Store,
    ctx: RequestContext,
    found: ServerAccess,
    row: actions.ServerAction,
    *,
    settings: Settings,
    flavor_ref: str | int | None,
) -> None:
    """The router's entry: the action of ``row`` (``flavor_ref``: the parsed resize body's)."""
    if row.intent is actions.Intent.RESIZE and flavor_ref is not None:
        await resize(store, ctx, settings, found, flavor_ref)
    elif row.intent is actions.Intent.CONFIRM_RESIZE:
        await confirm(store, ctx, found.server)
    elif row.intent is actions.Intent.REVERT_RESIZE:
        await revert(store, ctx, found.server)
