"""Nova's migration views (``/os-migrations``; ``nova/api/openstack/compute/migrations.py``
``_output``): ``migration_type`` from 2.23, with ``links`` on in-progress live migrations;
``uuid`` from 2.59; ``user_id`` and ``project_id`` from 2.80. Times are Nova's naive UTC."""

from __future__ import annotations

from typing import Any

from kubenova.domain import migration_rules
from kubenova.resources.migration import Migration
from kubenova_api.microversions import APIVersion
from kubenova_api.urls import PublicUrls
from kubenova_api.views.server_fields import naive_time


def _type_id(value: str | None) -> int | str | None:
    """Flavor ids: integers where they are numeric (Nova's instance type ids are)."""
    return int(value) if value is not None and value.isdigit() else value


def item(migration: Migration, project_id: str, version: APIVersion, urls: PublicUrls) -> dict[str, Any]:
    spec = migration.spec
    body: dict[str, Any] = {
        "id": spec.id,
        "source_compute": spec.source_compute,
        "dest_compute": spec.dest_compute,
        "source_node": spec.source_node,
        "dest_node": spec.dest_node,
        "dest_host": spec.dest_host,
        "old_instance_type_id": _type_id(spec.old_instance_type_id),
        "new_instance_type_id": _type_id(spec.new_instance_type_id),
        "instance_uuid": spec.instance_uuid,
        "status": spec.status,
        "created_at": naive_time(spec.created_at),
        "updated_at": naive_time(spec.updated_at),
    }
    if version >= "2.23":
        body["migration_type"] = spec.migration_type
        if spec.migration_type == "live-migration" and spec.status in migration_rules.LIVE_IN_PROGRESS:
            body["links"] = urls.self_and_bookmark(f"servers/{spec.instance_uuid}/migrations", str(spec.id))
    if version >= "2.59":
        body["uuid"] = spec.uuid
    if version >= "2.80":
        body["user_id"] = spec.user_id
        body["project_id"] = project_id
    return body


def server_item(migration: Migration, project_id: str, version: APIVersion) -> dict[str, Any]:
    """``/servers/{id}/migrations[/{id}]`` (Nova's ``server_migrations.output``): progress in bytes."""
    spec = migration.spec
    body: dict[str, Any] = {
        "created_at": naive_time(spec.created_at),
        "dest_compute": spec.dest_compute,
        "dest_host": spec.dest_host,
        "dest_node": spec.dest_node,
        "disk_processed_bytes": spec.disk_processed_bytes,
        "disk_remaining_bytes": spec.disk_remaining_bytes,
        "disk_total_bytes": spec.disk_total_bytes,
        "id": spec.id,
        "memory_processed_bytes": spec.memory_processed_bytes,
        "memory_remaining_bytes": spec.memory_remaining_bytes,
        "memory_total_bytes": spec.memory_total_bytes,
        "server_uuid": spec.instance_uuid,
        "source_compute": spec.source_compute,
        "source_node": spec.source_node,
        "status": spec.status,
        "updated_at": naive_time(spec.updated_at),
    }
    if version >= "2.59":
        body["uuid"] = spec.uuid
    if version >= "2.80":
        body["user_id"] = spec.user_id
        body["project_id"] = project_id
    return body
