"""``Server``: a Nova server (instance), realised as a KubeVirt VirtualMachine (namespaced: the
namespace is the project).

``spec`` is written by users (kubectl) and the gateway; ``status`` only by the operator.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from kubenova.resources.base import CamelModel, CrdInfo, CustomResource, PrinterColumn, pattern_message
from kubenova.resources.evacuate_request import EvacuateRequest
from kubenova.resources.keypair import KEYPAIR_NAME_MESSAGE, KEYPAIR_NAME_PATTERN
from kubenova.resources.migration import (
    LiveMigrateRequest,
    LiveMigrationAbort,
    MigrateRequest,
)
from kubenova.resources.server_requests import AdminPasswordRequest
from kubenova.resources.server_rescue import RescueRequest
from kubenova.resources.server_shelve import ShelveOffloadRequest, UnshelveRequest
from kubenova.resources.server_status import (
    DesiredPowerState,
    EmbeddedFlavor,
    InstanceAction,
    PowerStateName,
    ResizeRecord,
    ServerAddress,
    ServerFault,
    ServerStatus,
    ServerTask,
)

# The status models live in ``server_status``; importers of a Server find them here too.
__all__ = [
    "BASE64_PATTERN",
    "METADATA_KEY_PATTERN",
    "TAG_PATTERN",
    "DesiredPowerState",
    "EmbeddedFlavor",
    "InstanceAction",
    "MetadataValue",
    "PowerStateName",
    "RebootRequest",
    "RebuildRequest",
    "ResetStateRequest",
    "ResizeDecision",
    "ResizeRecord",
    "ResizeRequest",
    "SchedulerHints",
    "Server",
    "ServerAddress",
    "ServerFault",
    "ServerSpec",
    "ServerStatus",
    "ServerTask",
    "SnapshotRequest",
    "Tag",
]

BASE64_PATTERN = r"^[A-Za-z0-9+/=\r\n]*$"
TAG_PATTERN = r"^[^,/]{1,60}$"
# Nova's server metadata keys (parameter_types.metadata): letters, digits, space and -_:.
METADATA_KEY_PATTERN = r"^[a-zA-Z0-9_:. -]{1,255}$"

MetadataValue = Annotated[str, Field(max_length=255)]
Tag = Annotated[
    str,
    Field(
        max_length=60,
        pattern=TAG_PATTERN,
        json_schema_extra=pattern_message("tags are 1-60 characters and may not contain ',' or '/'"),
    ),
]


class SchedulerHints(CamelModel):
    """The documented Nova scheduler hints kubenova honours."""

    group: str | None = Field(default=None, description="Server group UUID the server joins.")
    same_host: list[str] = Field(
        default_factory=list, description="Server ids (uids) whose host this server must share."
    )
    different_host: list[str] = Field(
        default_factory=list, description="Server ids (uids) whose hosts this server must avoid."
    )


class RebootRequest(CamelModel):
    """A reboot asked of the operator; a new requestId asks again."""

    type: Literal["SOFT", "HARD"] = Field(default="SOFT", description="SOFT (guest restart) or HARD.")
    request_id: str = Field(
        min_length=1, description="Id of the request (e.g. req-<uuid>); unique per reboot."
    )


class ResizeRequest(CamelModel):
    """A resize to ``spec.flavor`` asked of the operator; a new requestId asks again."""

    request_id: str = Field(
        min_length=1, description="Id of the request (e.g. req-<uuid>); unique per resize."
    )


class ResizeDecision(CamelModel):
    """Confirm or revert the resize waiting in VERIFY_RESIZE; a new requestId asks again."""

    action: Literal["Confirm", "Revert"] = Field(
        description="Confirm (keep the new flavor, free the old host) or Revert (old flavor and host)."
    )
    request_id: str = Field(min_length=1, description="Id of the request (e.g. req-<uuid>).")


class ResetStateRequest(CamelModel):
    """An administrator's reset of the Nova state (os-resetState); a new requestId asks again."""

    state: Literal["active", "error"] = Field(description="vm_state to set (the task state is cleared).")
    request_id: str = Field(
        min_length=1, description="Id of the request (e.g. req-<uuid>); unique per reset."
    )


class RebuildRequest(CamelModel):
    """A rebuild asked of the operator (Nova's ``rebuild``); a new requestId asks again.

    What to rebuild with is the rest of the spec as it is then (image, name, metadata, keyName,
    userData): the root disk is re-created from ``spec.image``."""

    request_id: str = Field(
        min_length=1, description="Id of the request (e.g. req-<uuid>); unique per rebuild."
    )
    preserve_ephemeral: bool = Field(
        default=False, description="Keep the flavor's ephemeral disk (else it is re-created blank)."
    )
    hostname: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="Guest hostname after the rebuild (Nova 2.90); default: from the display name.",
    )


class SnapshotRequest(CamelModel):
    """An image of the root disk asked of the operator (Nova's ``createImage``/``createBackup``);
    a new requestId asks again. The Image it fills exists already (the gateway creates it)."""

    request_id: str = Field(min_length=1, description="Id of the request; unique per snapshot.")
    image: str = Field(
        min_length=1,
        max_length=253,
        description="Name of the Image object to fill; its volumeSource.pvc names the PVC the root "
        "disk is cloned into.",
    )
    backup_type: str | None = Field(
        default=None, max_length=255, description="createBackup: the backup type (e.g. daily)."
    )
    rotation: int | None = Field(
        default=None, ge=0, description="createBackup: how many backups of this type to keep."
    )


class ServerSpec(CamelModel):
    """Desired state of the server, written by users (kubectl) and the gateway.

    What to boot (flavor, image, keypair, user data), where (availability zone, scheduler hints),
    and the actions asked of the operator (powerState, reboot, locked).
    """

    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="Nova display name (need not be unique or DNS-safe). Defaults to metadata.name.",
    )
    flavor: str = Field(
        min_length=1, max_length=253, description="Name of the Flavor object to size the server."
    )
    image: str = Field(min_length=1, max_length=253, description="Name of the Image object to boot from.")
    key_name: str | None = Field(
        default=None,
        max_length=255,
        pattern=KEYPAIR_NAME_PATTERN,
        json_schema_extra=pattern_message(KEYPAIR_NAME_MESSAGE),
        description="Nova name of the Keypair whose public key is injected via cloud-init "
        "(letters, digits, spaces and _-.@, at most 255 characters).",
    )
    availability_zone: str | None = Field(
        default=None,
        max_length=255,
        description="Availability zone to boot in (Nova's 'zone:host' form is read as zone + forcedHost).",
    )
    forced_host: str | None = Field(
        default=None,
        max_length=253,
        description="Node the server must be placed on, bypassing most scheduler filters "
        "(Nova's forced host; admins only through the API).",
    )
    user_data: str | None = Field(
        default=None,
        max_length=65535,
        pattern=BASE64_PATTERN,
        json_schema_extra=pattern_message(
            "userData must be base64-encoded: only A-Z, a-z, 0-9, '+', '/', '=' and line breaks"
        ),
        description="Base64-encoded user data for cloud-init (at most 65535 characters).",
    )
    config_drive: bool = Field(
        default=False, description="Deliver metadata and user data on a config drive instead of NoCloud."
    )
    metadata: dict[str, MetadataValue] = Field(
        default_factory=dict,
        description="Nova server metadata: at most 128 pairs; keys 1-255 characters of letters, digits, "
        "space and -_:.; values at most 255 characters.",
        json_schema_extra={
            "maxProperties": 128,
            "x-kubernetes-validations": [
                {
                    "rule": f"self.all(k, k.matches('{METADATA_KEY_PATTERN}'))",
                    "message": "metadata keys must be 1-255 characters of letters, digits, space and -_:.",
                }
            ],
        },
    )
    description: str | None = Field(default=None, max_length=255, description="Free-form description.")
    tags: list[Tag] = Field(
        default_factory=list,
        max_length=50,
        description="Server tags (at most 50, each 1-60 characters without ',' or '/').",
    )
    power_state: DesiredPowerState = Field(
        default=DesiredPowerState.RUNNING,
        description="Desired power state: Running (start, or unpause a paused server), Stopped (stop, "
        "from ACTIVE or ERROR) or Paused (pause, from ACTIVE; a paused server is not stopped).",
    )
    scheduler_hints: SchedulerHints | None = Field(default=None, description="Nova scheduler hints.")
    networks: Literal["auto", "none"] = Field(
        default="auto", description="'auto' attaches the project network; 'none' boots without networking."
    )
    user_id: str | None = Field(default=None, description="Id of the user who created the server.")
    locked: bool = Field(default=False, description="A locked server refuses actions by non-admin users.")
    locked_reason: str | None = Field(default=None, max_length=255, description="Why the server is locked.")
    locked_by: Literal["owner", "admin"] | None = Field(
        default=None,
        description="Who locked the server (Nova's locked_by): 'owner' (its project) may unlock it; "
        "'admin' (or unset while locked) needs an admin to unlock.",
    )
    reboot: RebootRequest | None = Field(default=None, description="Latest reboot request.")
    resize: ResizeRequest | None = Field(
        default=None, description="Latest resize request: resize to spec.flavor (VERIFY_RESIZE when done)."
    )
    resize_decision: ResizeDecision | None = Field(
        default=None, description="Latest confirmResize/revertResize request of a server in VERIFY_RESIZE."
    )
    soft_deleted: bool = Field(
        default=False,
        description="Soft delete (Nova's deferred delete): the operator powers the VM off and keeps "
        "it until the reclaim interval has passed, then deletes the Server; false again restores it.",
    )
    reset_state: ResetStateRequest | None = Field(
        default=None, description="Latest administrator state reset (os-resetState)."
    )
    rebuild: RebuildRequest | None = Field(default=None, description="Latest rebuild request.")
    snapshot: SnapshotRequest | None = Field(
        default=None, description="Latest createImage/createBackup request."
    )
    rescue: RescueRequest | None = Field(default=None, description="Latest rescue or unrescue request.")
    migrate: MigrateRequest | None = Field(
        default=None, description="Latest cold migration request (VERIFY_RESIZE when done, as a resize)."
    )
    live_migrate: LiveMigrateRequest | None = Field(
        default=None, description="Latest live migration request (a VirtualMachineInstanceMigration)."
    )
    live_migration_abort: LiveMigrationAbort | None = Field(
        default=None, description="Latest request to abort the live migration under way."
    )
    evacuate: EvacuateRequest | None = Field(
        default=None, description="Latest evacuate request (rebuild on another host, the server's host down)."
    )
    shelved: bool = Field(
        default=False,
        description="Shelve (Nova's shelve): the VM is halted, its disks kept; false again unshelves "
        "(the server runs again, ACTIVE).",
    )
    shelve_offload: ShelveOffloadRequest | None = Field(
        default=None, description="Latest shelveOffload request: release the host of a SHELVED server."
    )
    unshelve: UnshelveRequest | None = Field(
        default=None, description="Latest unshelve request (its id and target host); see spec.shelved."
    )
    admin_password: AdminPasswordRequest | None = Field(
        default=None, description="Latest changePassword request (the password is in a Secret)."
    )


class Server(CustomResource):
    """A Nova server: scheduled onto a Node and run as a KubeVirt VirtualMachine."""

    crd: ClassVar[CrdInfo] = CrdInfo(
        kind="Server",
        plural="servers",
        scope="Namespaced",
        # Not "vm"/"vms": KubeVirt's VirtualMachine owns those short names in the same cluster.
        short_names=("srv",),
        printer_columns=(
            PrinterColumn("DISPLAY NAME", ".spec.name", priority=1),
            PrinterColumn("STATUS", ".status.status", description="Nova API status"),
            PrinterColumn("TASK", ".status.taskState", description="Nova task_state"),
            PrinterColumn("POWER", ".status.powerState", description="Power state"),
            PrinterColumn("FLAVOR", ".spec.flavor"),
            PrinterColumn("IMAGE", ".spec.image"),
            PrinterColumn("HOST", ".status.host"),
            PrinterColumn("NETWORKS", ".status.networks"),
            PrinterColumn("ZONE", ".status.availabilityZone", priority=1),
            PrinterColumn("AGE", ".metadata.creationTimestamp", "date"),
        ),
    )

    spec: ServerSpec
    status: ServerStatus = Field(default_factory=ServerStatus)

    @property
    def server_id(self) -> str:
        """Nova server id: the object's uid."""
        return self.metadata.uid or ""

    @property
    def display_name(self) -> str:
        return self.spec.name or self.metadata.name
