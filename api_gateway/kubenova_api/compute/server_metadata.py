"""``/servers/{id}/metadata`` writes: Nova's ``update_instance_metadata`` guards (the row
``domain.actions.metadata_write``: a lock refuses non-admins, the server must be active, paused,
suspended or stopped with no task running) and the ``metadata_items`` quota (403)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kubenova.domain import actions
from kubenova.resources import Server
from kubenova_api import errors
from kubenova_api.compute import guards
from kubenova_api.context import RequestContext
from kubenova_api.settings import Settings
from kubenova_api.store import Store

Change = Callable[[Mapping[str, str]], dict[str, str]]
"""Current metadata → new metadata (may raise to refuse)."""

UPDATE = "update metadata"
DELETE = "delete metadata"


def missing() -> errors.NotFoundError:
    return errors.NotFoundError("Metadata item was not found")


async def write(
    store: Store, settings: Settings, ctx: RequestContext, server: Server, *, method: str, change: Change
) -> dict[str, str]:
    """Apply ``change`` as one conditional patch; the metadata as stored afterwards."""
    row = actions.metadata_write(method)

    def build(current: Server) -> dict[str, Any]:
        guards.check(row, ctx, current)
        old = current.spec.metadata
        new = change(old)
        limit = store.quotas.limits(ctx.project_id or "", settings.quotas)["metadata_items"]
        if 0 <= limit < len(new):
            raise errors.QuotaExceededError(f"Maximum number of metadata items exceeds {limit}")
        patch: dict[str, str | None] = {key: None for key in old if key not in new}
        patch.update({key: value for key, value in new.items() if old.get(key) != value})
        return {"spec": {"metadata": patch}}

    build(server)  # refuse from the cache before writing anything
    updated = await store.servers.modify(server, build)
    return dict(updated.spec.metadata)


async def merge(
    store: Store, settings: Settings, ctx: RequestContext, server: Server, items: Mapping[str, str]
) -> dict[str, str]:
    return await write(store, settings, ctx, server, method=UPDATE, change=lambda old: {**old, **items})


async def replace(
    store: Store, settings: Settings, ctx: RequestContext, server: Server, items: Mapping[str, str]
) -> dict[str, str]:
    return await write(store, settings, ctx, server, method=UPDATE, change=lambda _: dict(items))


async def delete_item(
    store: Store, settings: Settings, ctx: RequestContext, server: Server, key: str
) -> None:
    if key not in server.spec.metadata:
        raise missing()

    def without(old: Mapping[str, str]) -> dict[str, str]:
        if key not in old:
            raise missing()
        return {k: v for k, v in old.items() if k != key}

    await write(store, settings, ctx, server, method=DELETE, change=without)
