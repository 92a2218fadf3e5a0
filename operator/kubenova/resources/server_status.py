"""What the operator records of a ``Server`` (its ``status``, the operator's alone): Nova's
states, the host, addresses, fault, embedded flavor, the task under way, moves and the action log.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from kubenova.resources.base import CamelModel
from kubenova.resources.migration import MigrationRecord
from kubenova.resources.server_shelve import ShelveRecord
from kubenova.resources.states import TaskState, VmState


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
    migration_type: Literal["resize", "migration", "live-migration", "evacuation"] = Field(
        default="resize",
        description="resize (a new flavor), migration (cold move, same flavor), live-migration, evacuation.",
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
    handled_evacuate: str | None = Field(
        default=None, description="requestId of the last evacuation taken up (or refused)."
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
