"""Conditional merge patch with retry on conflict: read-modify-write without lost updates.

``modify`` builds the patch from the object as it is, sends it with that object's
``metadata.resourceVersion`` (so the API server refuses it with 409 if anyone wrote in between),
and on a conflict reads the object again and builds the patch again, a bounded number of times.
Use it whenever the patch depends on what is stored (a list to extend, a log to append to, a
counter); a patch of fields only this writer owns needs no condition.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from kubenova.k8s.errors import Conflict, JsonObject, NotFound
from kubenova.k8s.kinds import Kind

ATTEMPTS = 5

Build = Callable[[JsonObject], Mapping[str, Any] | None]
"""Current object -> the merge patch to send, or ``None`` when nothing needs to change."""


class _Patcher(Protocol):
    async def get(self, kind: Kind, name: str, namespace: str | None = None) -> JsonObject: ...

    async def merge_patch(
        self,
        kind: Kind,
        name: str,
        patch: Mapping[str, Any],
        namespace: str | None = None,
        *,
        subresource: str | None = None,
    ) -> JsonObject: ...


def conditional(patch: Mapping[str, Any], resource_version: str) -> JsonObject:
    """``patch`` guarded by ``resource_version`` (the caller's dict is left alone)."""
    metadata = dict(patch.get("metadata") or {})
    metadata["resourceVersion"] = resource_version
    return {**patch, "metadata": metadata}


def _meta(obj: JsonObject, field: str) -> str:
    return str((obj.get("metadata") or {}).get(field) or "")


async def modify(
    client: _Patcher,
    kind: Kind,
    name: str,
    build: Build,
    namespace: str | None = None,
    *,
    current: JsonObject | None = None,
    subresource: str | None = None,
    attempts: int = ATTEMPTS,
) -> JsonObject:
    """Patch ``build(current)`` conditionally; on 409 re-read and rebuild (at most ``attempts`` sends).

    ``current`` (e.g. from a watch cache) saves the first read; a stale copy only costs one retry.
    Returns the object as patched (or as read, when ``build`` returned ``None``). Raises
    ``NotFound`` if the object is gone or was replaced by another one of the same name (other uid),
    ``Conflict`` if it kept changing, and whatever ``build`` raises (e.g. to refuse the change).
    """
    obj = current if current is not None else await client.get(kind, name, namespace)
    uid = _meta(obj, "uid")
    for attempt in range(attempts):
        wanted = build(obj)
        if wanted is None:
            return obj
        try:
            guarded = conditional(wanted, _meta(obj, "resourceVersion"))
            return await client.merge_patch(kind, name, guarded, namespace, subresource=subresource)
        except Conflict:
            if attempt + 1 == attempts:
                break
        obj = await client.get(kind, name, namespace)
        if uid and _meta(obj, "uid") != uid:
            raise NotFound(404, "NotFound", f'{kind.plural} "{name}" was deleted and created again')
    message = f'{kind.plural} "{name}" kept changing; gave up after {attempts} attempts'
    raise Conflict(409, "Conflict", message)
