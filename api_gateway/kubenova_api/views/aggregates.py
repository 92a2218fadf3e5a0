"""Aggregate representations: Nova's aggregate object, ``uuid`` from 2.41.

``availability_zone`` appears both on its own and as ``metadata.availability_zone``, as Nova
stores it; the CR keeps it in ``spec.availabilityZone`` only. ``updated_at`` is the last time
anyone changed the object's spec or metadata (from ``managedFields``), null when never changed
after creation, which is what Nova's column holds.
"""

from __future__ import annotations

from typing import Any

from kubenova.resources import Aggregate
from kubenova_api.microversions import APIVersion
from kubenova_api.views.keypairs import nova_time


def metadata(aggregate: Aggregate) -> dict[str, str]:
    """Nova's metadata: the free-form pairs plus ``availability_zone`` when the aggregate has one."""
    shown = dict(aggregate.spec.metadata)
    if aggregate.spec.availability_zone:
        shown["availability_zone"] = aggregate.spec.availability_zone
    return shown


def updated_at(aggregate: Aggregate) -> str | None:
    created = aggregate.metadata.creation_timestamp
    entries = (aggregate.metadata.model_extra or {}).get("managedFields") or []
    times = [
        str(entry.get("time"))
        for entry in entries
        if isinstance(entry, dict) and entry.get("time") and entry.get("subresource") != "status"
    ]
    latest = max(times, default=None)
    return nova_time(latest) if latest and latest != created else None


def show(aggregate: Aggregate, version: APIVersion, *, members: bool = True) -> dict[str, Any]:
    """One aggregate; ``members=False`` leaves out hosts and metadata (Nova's create answer)."""
    body: dict[str, Any] = {
        "id": aggregate.status.id,
        "name": aggregate.display_name,
        "availability_zone": aggregate.spec.availability_zone,
        "created_at": nova_time(aggregate.metadata.creation_timestamp),
        "updated_at": updated_at(aggregate),
        "deleted": False,
        "deleted_at": None,
    }
    if members:
        body["hosts"] = list(aggregate.spec.hosts)
        body["metadata"] = metadata(aggregate)
    if version >= "2.41":
        body["uuid"] = aggregate.metadata.uid
    return body
