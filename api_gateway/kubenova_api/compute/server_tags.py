"""``/servers/{id}/tags`` writes: the row ``domain.actions.tags_write`` (Nova checks only the
vm_state: active, paused, suspended or stopped; no task, lock or launch check) and the per-server
limit of 50 tags (400)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubenova.domain import actions
from kubenova.resources import Server
from kubenova_api import errors
from kubenova_api.compute import guards
from kubenova_api.schemas.server_tags import MAX_TAGS
from kubenova_api.store import Store


def check_writable(server: Server, method: str) -> None:
    guards.check_state(actions.tags_write(method), server)


def too_many() -> errors.BadRequestError:
    return errors.BadRequestError(f"The number of tags exceeded the per-server limit {MAX_TAGS}")


async def write(
    store: Store, server: Server, *, method: str, change: Callable[[list[str]], list[str]]
) -> Server:
    """Replace the tags with ``change(current tags)`` in one conditional patch."""

    def build(current: Server) -> dict[str, Any]:
        check_writable(current, method)
        return {"spec": {"tags": change(list(current.spec.tags))}}

    build(server)  # refuse from the cache before writing anything
    return await store.servers.modify(server, build)


async def add(store: Store, server: Server, tag: str, *, check_tag: Callable[[str], object]) -> bool:
    """Nova's order: state (409), tag syntax (400), the tag limit (400, even for a tag the server
    has); ``True`` when the tag was added, ``False`` when the server had it already."""
    check_writable(server, "update tag")
    check_tag(tag)
    if len(server.spec.tags) >= MAX_TAGS:
        raise too_many()
    if tag in server.spec.tags:
        return False

    def with_tag(tags: list[str]) -> list[str]:
        if tag in tags:
            return tags
        if len(tags) >= MAX_TAGS:
            raise too_many()
        return [*tags, tag]

    await write(store, server, method="update tag", change=with_tag)
    return True


async def remove(store: Store, server: Server, tag: str) -> None:
    check_writable(server, "delete tag")
    if tag not in server.spec.tags:
        # Nova words this one after its InstanceTagNotFound, unlike the GET's "Server ...".
        raise errors.NotFoundError(f"Instance {server.server_id} has no tag '{tag}'")
    await write(store, server, method="delete tag", change=lambda tags: [t for t in tags if t != tag])
