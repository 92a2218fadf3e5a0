"""``Server``: a Nova server (instance), realised as a KubeVirt VirtualMachine (namespaced: the
namespace is the project).

``spec`` is written by users (kubectl) and the gateway; ``status`` only by the operator.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from kubenova.resources.base import CamelModel, CrdInfo, CustomResource, PrinterColumn, pattern_message
from kubenova.resources.keypair import KEYPAIR_NAME_MESSAGE, KEYPAIR_NAME_PATTERN
from kubenova.resources.migration import (
    LiveMigrateRequest,
    LiveMigrationAbort,
    MigrateRequest,
    MigrationRecord,
)
from kubenova.resources.server_requests import AdminPasswordRequest
from kubenova.resources.server_rescue import RescueRequest
from kubenova.resources.server_shelve import ShelveOffloadRequest, ShelveRecord, UnshelveRequest
from kubenova.resources.states import TaskState, VmState

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


class DesiredPowerState(StrEnum):
    """The power state a user asks for; the operator starts, stops, pauses or unpauses the VM to
    match (Nova's start, stop, pause, unpause)."""

    RUNNING = "Running"
    STOPPED = "Stopped"
    PAUSED = "Paused"


class PowerStateName(StrEnum):
    """Nova power states by the names the openstack CLI prints."""

    NOSTATE = "NOSTATE"
    RUNNING = "Running"
    PAUSED = "Paused"
    SHUTDOWN = "Shutdown"
    CRASHED = "Crashed"
    SUSPENDED = "Suspended"


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


class ServerAddress(CamelModel):
    """One address of a server, as Nova lists it under a network label."""

    version: Literal[4, 6] = Field(description="IP version.")
    addr: str = Field(description="The IP address.")
    type: Literal["fixed", "floating"] = Field(default="fixed", description="OS-EXT-IPS:type.")
    mac_addr: str | None = Field(default=None, description="OS-EXT-IPS-MAC:mac_addr.")


class ServerFault(CamelModel):
    """Why the server is in ERROR (Nova's instance fault)."""

    code: int = Field(description="HTTP-style code: 500 for NoValidHost and driver failures.")
    message: str = Field(description="Short message, e.g. 'No valid host was found.'.")
    details: str | None = Field(default=None, description="Details, e.g. how many hosts each filter removed.")
    created: str = Field(description="When the fault was recorded (ISO 8601).")


class EmbeddedFlavor(CamelModel):
    """The flavor as it was when the server was built (Nova embeds it; later edits do not apply)."""

    id: str = Field(description="Nova flavor id (the Flavor's spec.id or metadata.name).")
    name: str = Field(description="Flavor display name (original_name in Nova's embedded flavor).")
    vcpus: int = Field(description="Number of virtual CPUs.")
    ram: int = Field(description="Memory in MiB.")
    disk: int = Field(default=0, description="Root disk size in GiB.")
    ephemeral: int = Field(default=0, description="Ephemeral disk size in GiB.")
    swap: int = Field(default=0, description="Swap disk size in MiB.")
    extra_specs: dict[str, str] = Field(default_factory=dict, description="Flavor extra specs.")


class InstanceAction(CamelModel):
    """One entry of the server's action record (Nova instance actions)."""

    action: str = Field(description="Nova action name: create, stop, start, reboot, delete, ...")
    request_id: str = Field(description="Request id of the API call (req-<uuid>) or of the kubectl change.")
    user_id: str | None = Field(default=None, description="Id of the user who asked for the action.")
    start_time: str = Field(description="When the action started (ISO 8601).")
    finish_time: str | None = Field(
        default=None, description="When the action finished (empty while running)."
    )
    result: Literal["Success", "Error"] | None = Field(
        default=None, description="Outcome once finished: Success or Error."
    )
    message: str | None = Field(default=None, description="Error message of a failed action.")


class ResizeRecord(CamelModel):
    """A resize under way or waiting in VERIFY_RESIZE (Nova's migration record): both placements,
    held until confirm or revert; the task state says how far it is."""

    request_id: str = Field(description="Request id of the resize (as in status.actions).")
    source_host: str = Field(description="Host before the resize (its resources are held until confirm).")
    source_zone: str | None = Field(default=None, description="Availability zone of the source host.")
    source_flavor: EmbeddedFlavor = Field(description="Flavor before the resize (restored by a revert).")
    target_host: str = Field(description="Host chosen for the new flavor.")
    target_zone: str | None = Field(default=None, description="Availability zone of the target host.")
    target_flavor: EmbeddedFlavor = Field(description="The new flavor.")
    running: bool = Field(description="Whether the server was running (it is started again if so).")
    finished_at: str | None = Field(default=None, description="When the server reached VERIFY_RESIZE.")
    migration_type: Literal["resize", "migration", "live-migration"] = Field(
        default="resize",
        description="resize (a new flavor), migration (a cold move, same flavor) or live-migration.",
    )
    migration_uuid: str | None = Field(default=None, description="Uuid of its Migration object.")


class ServerTask(CamelModel):
    """The operation under way (``taskState`` says which) and what the operator needs to carry it
    out across restarts. Each operation adds its own fields; the operator clears it when done."""

    action: str = Field(description="Nova action carried out: reboot, ...")
    request_id: str = Field(description="Request id of the action (as in status.actions).")
    replaced_instance_uid: str | None = Field(
        default=None,
        description="reboot: uid of the VirtualMachineInstance being replaced (empty: there was none); "
        "the reboot is over when another instance runs.",
    )
    instance_uid: str | None = Field(
        default=None,
        description="SOFT reboot: uid of the VirtualMachineInstance the guest restarts in (it stays).",
    )
    image_id: str | None = Field(
        default=None,
        description="rebuild: Glance id of the image rebuilt from; snapshot: of the image made; "
        "rescue: of the rescue image.",
    )
    replaced_volume_uids: list[str] | None = Field(
        default=None,
        description="rebuild: uids of the DataVolumes being re-created (root, and ephemeral unless "
        "preserved); done when DataVolumes with other uids stand in their place.",
    )
    start_after: bool | None = Field(
        default=None, description="rebuild: whether the server runs afterwards (false: it was stopped)."
    )


class ServerStatus(CamelModel):
    """Nova's view of the server, written only by the operator.

    API status with vm/task/power state, placement (host, zone), addresses, the fault while in
    ERROR, the flavor as built, and the action record.
    """

    status: str | None = Field(
        default=None, description="Nova API status: BUILD, ACTIVE, SHUTOFF, ERROR, ..."
    )
    vm_state: VmState | None = Field(
        default=None, description="Nova vm_state: building, active, stopped, error, ..."
    )
    task_state: TaskState | None = Field(
        default=None,
        description="Nova task_state: scheduling, spawning, powering-off, ... (empty when idle).",
    )
    power_state: PowerStateName | None = Field(default=None, description="Hypervisor power state.")
    host: str | None = Field(default=None, description="Node the server is placed on (OS-EXT-SRV-ATTR:host).")
    hypervisor_hostname: str | None = Field(default=None, description="OS-EXT-SRV-ATTR:hypervisor_hostname.")
    availability_zone: str | None = Field(default=None, description="Zone of the host (OS-EXT-AZ).")
    addresses: dict[str, list[ServerAddress]] = Field(
        default_factory=dict, description="Addresses by network label, Nova-shaped."
    )
    networks: str | None = Field(
        default=None, description="Addresses as 'openstack server list' prints them, e.g. 'private=10.0.0.5'."
    )
    fault: ServerFault | None = Field(default=None, description="Set while the server is in ERROR.")
    progress: int | None = Field(
        default=None, ge=0, le=100, description="Build or migration progress, 0-100."
    )
    flavor: EmbeddedFlavor | None = Field(default=None, description="Flavor embedded at build time.")
    image_id: str | None = Field(default=None, description="Glance id of the boot image.")
    vm_name: str | None = Field(default=None, description="Name of the KubeVirt VirtualMachine.")
    launched_at: str | None = Field(default=None, description="When the server first became ACTIVE.")
    updated_at: str | None = Field(default=None, description="Last status change.")
    handled_reboot: str | None = Field(default=None, description="requestId of the last reboot carried out.")
    handled_resize: str | None = Field(default=None, description="requestId of the last resize taken up.")
    handled_migrate: str | None = Field(
        default=None, description="requestId of the last cold migration taken up (or refused)."
    )
    handled_live_migrate: str | None = Field(
        default=None, description="requestId of the last live migration taken up (or refused)."
    )
    handled_live_migration_abort: str | None = Field(
        default=None, description="requestId of the last live migration abort taken up."
    )
    handled_resize_decision: str | None = Field(
        default=None, description="requestId of the last confirmResize/revertResize taken up."
    )
    soft_deleted_at: str | None = Field(
        default=None, description="When the server was soft-deleted (Nova's deleted_at while SOFT_DELETED)."
    )
    handled_reset_state: str | None = Field(
        default=None, description="requestId of the last state reset carried out."
    )
    refused_power_state: DesiredPowerState | None = Field(
        default=None,
        description="spec.powerState KubeVirt refused to carry out "
        "(not asked again until spec.powerState changes).",
    )
    handled_rebuild: str | None = Field(
        default=None, description="requestId of the last rebuild carried out (or refused)."
    )
    handled_snapshot: str | None = Field(
        default=None, description="requestId of the last createImage/createBackup taken up (or refused)."
    )
    handled_rescue: str | None = Field(
        default=None, description="requestId of the last rescue/unrescue carried out (or refused)."
    )
    handled_admin_password: str | None = Field(
        default=None, description="requestId of the last changePassword finished (or refused)."
    )
    task: ServerTask | None = Field(default=None, description="The operation under way, while there is one.")
    resize: ResizeRecord | None = Field(
        default=None, description="The resize from its start until it is confirmed or reverted."
    )
    migration: MigrationRecord | None = Field(
        default=None, description="The latest move's migration record as its Migration object is to be."
    )
    shelve: ShelveRecord | None = Field(default=None, description="Shelving: when, where, requests handled.")
    actions: list[InstanceAction] = Field(default_factory=list, description="Action record, oldest first.")
    observed_generation: int | None = Field(default=None, description="metadata.generation last acted upon.")


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
