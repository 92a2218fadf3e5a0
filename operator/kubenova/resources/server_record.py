"""``ServerRecord``: what Nova keeps of a deleted server (its ``instances`` row with ``deleted``
set, and its instance actions), kept for a retention period after the Server object is gone
(namespaced: the namespace is the project; the object's name is the server id).

Written once by the operator, when it finishes deleting a Server and before it removes its
finalizer; deleted by the operator when the retention period is over. Nothing else writes it, so
everything is in ``spec`` (a snapshot; ``status`` stays empty).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from kubenova.resources.base import CamelModel, CrdInfo, CustomResource, PrinterColumn
from kubenova.resources.server import EmbeddedFlavor, InstanceAction, PowerStateName, ServerFault
from kubenova.resources.states import VmState


class ServerRecordSpec(CamelModel):
    """The deleted server as Nova shows it to admins (``deleted=True``, ``changes-since``), to
    ``os-instance-actions`` (from 2.21) and to ``os-simple-tenant-usage``."""

    server_id: str = Field(description="Nova server id (the deleted Server's uid).")
    name: str = Field(description="Nova display name.")
    server_name: str = Field(description="metadata.name of the deleted Server object.")
    user_id: str | None = Field(default=None, description="Id of the user who created the server.")
    status: str = Field(default="DELETED", description="Nova API status (DELETED).")
    vm_state: VmState = Field(default=VmState.DELETED, description="Nova vm_state (deleted).")
    power_state: PowerStateName = Field(
        default=PowerStateName.NOSTATE, description="Power state after the delete (NOSTATE)."
    )
    flavor: EmbeddedFlavor | None = Field(default=None, description="The flavor the server was built with.")
    flavor_name: str = Field(description="Name of the Flavor object the Server's spec named.")
    image: str = Field(description="Name of the Image object the Server's spec named.")
    image_id: str | None = Field(default=None, description="Glance id of the boot image.")
    key_name: str | None = Field(default=None, description="Nova keypair name.")
    description: str | None = Field(default=None, description="The server's description.")
    metadata: dict[str, str] = Field(default_factory=dict, description="Nova server metadata.")
    tags: list[str] = Field(default_factory=list, description="Server tags.")
    config_drive: bool = Field(default=False, description="Whether it booted with a config drive.")
    locked: bool = Field(default=False, description="Whether it was locked when deleted.")
    locked_reason: str | None = Field(default=None, description="Why it was locked.")
    host: str | None = Field(default=None, description="Node it last ran on.")
    hypervisor_hostname: str | None = Field(default=None, description="OS-EXT-SRV-ATTR:hypervisor_hostname.")
    availability_zone: str | None = Field(default=None, description="Zone of its host.")
    requested_zone: str | None = Field(default=None, description="spec.availabilityZone at create.")
    vm_name: str | None = Field(default=None, description="Name of its KubeVirt VirtualMachine.")
    annotations: dict[str, str] = Field(
        default_factory=dict,
        description="The gateway's compute.kubenova.io/* annotations of the Server (reservation id, "
        "hostname, access IPs, ...), the request inbox left out.",
    )
    fault: ServerFault | None = Field(default=None, description="The fault it had, if it was in ERROR.")
    created_at: str = Field(description="When the Server was created.")
    launched_at: str | None = Field(default=None, description="When it first became ACTIVE.")
    terminated_at: str = Field(description="When the delete finished (Nova's terminated_at and deleted_at).")
    actions: list[InstanceAction] = Field(
        default_factory=list, description="The whole action log, the finished delete last."
    )


class ServerRecordStatus(CamelModel):
    """Nothing: a record is a snapshot, written once."""


class ServerRecord(CustomResource):
    """A deleted Nova server, kept for ``KUBENOVA_DELETED_SERVER_RETENTION_SECONDS``."""

    crd: ClassVar[CrdInfo] = CrdInfo(
        kind="ServerRecord",
        plural="serverrecords",
        scope="Namespaced",
        short_names=("srvrec",),
        printer_columns=(
            PrinterColumn("DISPLAY NAME", ".spec.name"),
            PrinterColumn("STATUS", ".spec.status", description="Nova API status"),
            PrinterColumn("FLAVOR", ".spec.flavor.name"),
            PrinterColumn("IMAGE", ".spec.image"),
            PrinterColumn("HOST", ".spec.host", priority=1),
            PrinterColumn("LAUNCHED", ".spec.launchedAt", "date", priority=1),
            PrinterColumn("TERMINATED", ".spec.terminatedAt", "date"),
        ),
    )

    spec: ServerRecordSpec
    status: ServerRecordStatus = Field(default_factory=ServerRecordStatus)

    @property
    def server_id(self) -> str:
        return self.spec.server_id
