"""Migration objects: the operator copies a Server's ``status.migration`` (written with each step
of a move, ``status.migration_records``) to the ``Migration`` object of that uuid.

Level-triggered: each reconcile compares the record with the object in the migration index and
creates it (its integer id allocated then: one more than the highest id the index holds; kopf
fills the index from a full listing before any handler runs, so a restart never reuses an id)
or patches its status. The object's name is derived from the server and the request, so a
create repeated after a restart answers 409 and the existing object is adopted.
"""

from __future__ import annotations

from typing import Any

from kubenova import k8s
from kubenova.domain import migration_rules
from kubenova.handlers.cluster_view import MIGRATIONS
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import writer
from kubenova.handlers.view_keys import ServerRef
from kubenova.resources.base import API_VERSION
from kubenova.resources.migration import Migration, MigrationRecord, MigrationSpec
from kubenova.resources.server import Server

_COMPARED = frozenset(MigrationRecord.model_fields)


def differs(record: MigrationRecord, stored: Migration | None) -> bool:
    """Whether the object lacks, or differs from, what the record says."""
    if stored is None:
        return True
    return any(getattr(record, name) != getattr(stored.spec, name) for name in _COMPARED)


def body_of(record: MigrationRecord, namespace: str, migration_id: int, now: str) -> dict[str, Any]:
    spec = MigrationSpec(**record.model_dump(), id=migration_id, created_at=now, updated_at=now)
    return {
        "apiVersion": API_VERSION,
        "kind": "Migration",
        "metadata": {"name": record.uuid, "namespace": namespace},
        "spec": spec.to_api(),
    }


async def step(rt: Runtime, server: Server) -> Server | None:
    """Bring the server's Migration object up to its ``status.migration``."""
    record = server.status.migration
    namespace = server.metadata.namespace or ""
    if record is None:
        return server
    ref = ServerRef(namespace, record.uuid)
    stored = rt.view.migration(ref)
    if not differs(record, stored):
        return server
    now = writer.now()
    if stored is None:
        used = (m.spec.id for m in rt.view.migrations())
        body = body_of(record, namespace, migration_rules.next_id(used), now)
        try:
            created = await rt.client.create(k8s.MIGRATIONS, body, namespace)
        except k8s.AlreadyExists:
            created = await rt.client.get(k8s.MIGRATIONS, record.uuid, namespace)
            rt.view.remember(MIGRATIONS, ref, Migration.model_validate(created))
            return await step(rt, server)
        rt.view.remember(MIGRATIONS, ref, Migration.model_validate(created))
        return server
    patch = {"spec": {**record.model_dump(by_alias=True, mode="json"), "updatedAt": now}}
    patched = await rt.client.merge_patch(k8s.MIGRATIONS, record.uuid, patch, namespace)
    rt.view.remember(MIGRATIONS, ref, Migration.model_validate(patched))
    return server
