"""Guarded writes: every change carries the resourceVersion the decision was made on.

Decisions are taken on cached objects, which may be a step behind; sending the cached
resourceVersion with each patch turns a decision on stale data into a 409 Conflict (the caller
re-queues) instead of a lost update. Patches only carry the fields the simulator owns.
"""

from __future__ import annotations

from typing import Any

from kubenova.k8s import Informer, Kind, Transport
from kubenova.k8s import JsonObject as Obj


def _ids(obj: Obj) -> tuple[str | None, str, str]:
    meta = obj.get("metadata") or {}
    return meta.get("namespace"), meta.get("name", ""), str(meta.get("resourceVersion", ""))


def patch_status(
    client: Transport,
    resource: Kind,
    obj: Obj,
    status: dict[str, Any],
    cache: Informer[Obj] | None = None,
) -> Obj:
    """Merge-patch ``status`` fields (None deletes a field) through the status subresource."""
    namespace, name, rv = _ids(obj)
    body = {"metadata": {"resourceVersion": rv}, "status": status}
    updated = client.merge_patch(resource, name, body, namespace, subresource="status")
    if cache is not None:
        cache.record_write(updated)
    return updated


def patch_metadata(
    client: Transport,
    resource: Kind,
    obj: Obj,
    *,
    labels: dict[str, str | None] | None = None,
    annotations: dict[str, str | None] | None = None,
    cache: Informer[Obj] | None = None,
) -> Obj:
    namespace, name, rv = _ids(obj)
    meta: dict[str, Any] = {"resourceVersion": rv}
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    updated = client.merge_patch(resource, name, {"metadata": meta}, namespace)
    if cache is not None:
        cache.record_write(updated)
    return updated


def finalizers_of(obj: Obj) -> list[str]:
    return list((obj.get("metadata") or {}).get("finalizers") or [])


def set_finalizers(
    client: Transport, resource: Kind, obj: Obj, finalizers: list[str], cache: Informer[Obj] | None = None
) -> Obj:
    """Replace the finalizer list, only if the object did not change since it was read."""
    namespace, name, rv = _ids(obj)
    body = {"metadata": {"resourceVersion": rv, "finalizers": finalizers}}
    updated = client.merge_patch(resource, name, body, namespace)
    if cache is not None:
        cache.record_write(updated)
    return updated


def add_finalizer(
    client: Transport, resource: Kind, obj: Obj, finalizer: str, cache: Informer[Obj] | None = None
) -> Obj:
    current = finalizers_of(obj)
    if finalizer in current:
        return obj
    return set_finalizers(client, resource, obj, [*current, finalizer], cache)


def remove_finalizer(
    client: Transport, resource: Kind, obj: Obj, finalizer: str, cache: Informer[Obj] | None = None
) -> Obj:
    current = finalizers_of(obj)
    if finalizer not in current:
        return obj
    return set_finalizers(client, resource, obj, [f for f in current if f != finalizer], cache)
