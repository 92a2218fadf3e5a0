"""``Migration``: Nova's migration record, one per move of a server (cold migration, resize; live
migration and evacuation to come), namespaced in the server's namespace (its project); the
object's name is the migration's uuid.

Written only by the operator: created when a move starts (its integer ``spec.id`` allocated then,
as Nova's autoincrement: one more than the highest id in the cluster) and patched at every step.
The Server's ``status.migration`` holds the latest record as the operator wants it to be (written
in the same status patch as the step), so the operator copies it here level-triggered after a
restart. The object has no owner: it outlives the server's move and its deletion, as Nova's
``migrations`` rows do. Everything is in ``spec`` (nothing else writes it; ``status`` stays empty).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from kubenova.resources.base import CamelModel, CrdInfo, CustomResource, PrinterColumn

MigrationType = Literal["migration", "live-migration", "resize", "evacuation"]


class MigrateRequest(CamelModel):
    """A cold migration asked of the operator (Nova's ``migrate``); a new requestId asks again."""

    request_id: str = Field(min_length=1, description="Id of the request (e.g. req-<uuid>); unique per move.")
    host: str | None = Field(default=None, description="Target host (a Node) the admin asked for (2.56).")


class LiveMigrateRequest(CamelModel):
    """A live migration asked of the operator (Nova's ``os-migrateLive``); a new requestId asks
    again."""

    request_id: str = Field(min_length=1, description="Id of the request (e.g. req-<uuid>); unique per move.")
    host: str | None = Field(default=None, description="Target host (a Node); empty: the scheduler chooses.")
    force: bool = Field(
        default=False, description="Nova's force (2.30-2.67): the asked host without the scheduler's filters."
    )


class LiveMigrationAbort(CamelModel):
    """Abort the live migration under way (Nova's ``DELETE /servers/{id}/migrations/{id}``)."""

    request_id: str = Field(min_length=1, description="Id of the request (e.g. req-<uuid>).")
    migration_id: int = Field(ge=1, description="Nova id of the migration to abort.")


class MigrationRecord(CamelModel):
    """A migration as the operator wants its ``Migration`` object to be (``status.migration``)."""

    uuid: str = Field(description="Migration uuid (the Migration object's name).")
    migration_type: MigrationType = Field(description="migration, live-migration, resize or evacuation.")
    status: str = Field(
        description="Nova's migration status: pre-migrating, migrating, post-migrating, finished, "
        "confirmed, reverting, reverted, error (cold moves)."
    )
    instance_uuid: str = Field(description="Nova server id of the moved server.")
    source_compute: str | None = Field(default=None, description="Host the server left.")
    source_node: str | None = Field(default=None, description="Node (hypervisor) the server left.")
    dest_compute: str | None = Field(default=None, description="Host chosen for the server.")
    dest_node: str | None = Field(default=None, description="Node (hypervisor) chosen for the server.")
    dest_host: str | None = Field(default=None, description="Address of the target host (Nova's dest_host).")
    old_instance_type_id: str | None = Field(default=None, description="Flavor id before the move.")
    new_instance_type_id: str | None = Field(default=None, description="Flavor id after the move.")
    user_id: str | None = Field(
        default=None, description="User who asked for the move (2.80; the project is the namespace's)."
    )
    memory_total_bytes: int | None = Field(default=None, description="Live migration: guest memory.")
    memory_processed_bytes: int | None = Field(default=None, description="Live migration: memory copied.")
    memory_remaining_bytes: int | None = Field(default=None, description="Live migration: memory to copy.")
    disk_total_bytes: int | None = Field(default=None, description="Live block migration: disk size.")
    disk_processed_bytes: int | None = Field(default=None, description="Live block migration: disk copied.")
    disk_remaining_bytes: int | None = Field(default=None, description="Live block migration: disk to copy.")


class MigrationSpec(MigrationRecord):
    """The stored record: the operator's ``MigrationRecord`` plus its id and times."""

    id: int = Field(ge=1, description="Nova's integer migration id, allocated by the operator.")
    created_at: str = Field(description="When the move started.")
    updated_at: str | None = Field(default=None, description="When the status last changed.")


class MigrationStatus(CamelModel):
    """Nothing: the operator is the one writer and keeps everything in spec."""


class Migration(CustomResource):
    """A Nova migration record (``/os-migrations``, ``/servers/{id}/migrations``)."""

    crd: ClassVar[CrdInfo] = CrdInfo(
        kind="Migration",
        plural="migrations",
        scope="Namespaced",
        short_names=("novamig",),
        printer_columns=(
            PrinterColumn("ID", ".spec.id", "integer"),
            PrinterColumn("TYPE", ".spec.migrationType"),
            PrinterColumn("STATUS", ".spec.status", description="Nova migration status"),
            PrinterColumn("SERVER", ".spec.instanceUuid"),
            PrinterColumn("SOURCE", ".spec.sourceCompute"),
            PrinterColumn("DEST", ".spec.destCompute"),
            PrinterColumn("CREATED", ".spec.createdAt", "date"),
            PrinterColumn("UPDATED", ".spec.updatedAt", "date", priority=1),
        ),
    )

    spec: MigrationSpec
    status: MigrationStatus = Field(default_factory=MigrationStatus)
