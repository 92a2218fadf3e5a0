# Over 300 lines: the typed KubeVirt API subset, one module as KubeVirt's types.go is one file.
"""A typed subset of kubevirt.io/v1: VirtualMachine, VirtualMachineInstance and
VirtualMachineInstanceMigration. (Over 300 lines: one API schema, read top to bottom.) The shared
metadata types are in ``api_meta``, CDI's DataVolume (``dataVolumeTemplates``) in ``cdi_models``.

Only the fields kubenova and the simulator use are modelled. Unknown fields are allowed on read,
and writers must send merge patches of their own fields rather than whole objects, so nothing the
real KubeVirt adds is ever dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, model_validator

from kubenova.kubevirt.api_meta import Condition, KubeVirtModel, ObjectMeta
from kubenova.kubevirt.cdi_models import DataVolumeTemplateSpec

__all__ = ["Condition", "DataVolumeTemplateSpec", "KubeVirtModel", "ObjectMeta"]  # re-exported

GROUP = "kubevirt.io"
VERSION = "v1"
API_VERSION = f"{GROUP}/{VERSION}"
SUBRESOURCES_GROUP = "subresources.kubevirt.io"


@dataclass(frozen=True)
class Kind:
    kind: str
    plural: str
    singular: str
    short_names: tuple[str, ...]


VIRTUAL_MACHINE = Kind("VirtualMachine", "virtualmachines", "virtualmachine", ("vm", "vms"))
VIRTUAL_MACHINE_INSTANCE = Kind(
    "VirtualMachineInstance", "virtualmachineinstances", "virtualmachineinstance", ("vmi", "vmis")
)
VIRTUAL_MACHINE_INSTANCE_MIGRATION = Kind(
    "VirtualMachineInstanceMigration",
    "virtualmachineinstancemigrations",
    "virtualmachineinstancemigration",
    ("vmim",),
)


class RunStrategy(StrEnum):
    ALWAYS = "Always"
    HALTED = "Halted"
    MANUAL = "Manual"
    RERUN_ON_FAILURE = "RerunOnFailure"
    ONCE = "Once"


class VmiPhase(StrEnum):
    PENDING = "Pending"
    SCHEDULING = "Scheduling"
    SCHEDULED = "Scheduled"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    UNKNOWN = "Unknown"


class PrintableStatus(StrEnum):
    STOPPED = "Stopped"
    PROVISIONING = "Provisioning"
    STARTING = "Starting"
    RUNNING = "Running"
    PAUSED = "Paused"
    STOPPING = "Stopping"
    TERMINATING = "Terminating"
    MIGRATING = "Migrating"
    UNKNOWN = "Unknown"
    WAITING_FOR_VOLUME_BINDING = "WaitingForVolumeBinding"
    DATA_VOLUME_ERROR = "DataVolumeError"
    ERROR_UNSCHEDULABLE = "ErrorUnschedulable"
    CRASH_LOOP_BACKOFF = "CrashLoopBackOff"


class MigrationPhase(StrEnum):
    PENDING = "Pending"
    SCHEDULING = "Scheduling"
    SCHEDULED = "Scheduled"
    PREPARING_TARGET = "PreparingTarget"
    TARGET_READY = "TargetReady"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


class CpuNuma(KubeVirtModel):
    """``guestMappingPassthrough: {}``: the guest's NUMA cells mirror the host cells its pinned
    vCPUs and huge pages landed on (KubeVirt's only guest NUMA mode)."""

    guest_mapping_passthrough: dict[str, Any] | None = None


class Cpu(KubeVirtModel):
    cores: int | None = None
    sockets: int | None = None
    threads: int | None = None
    dedicated_cpu_placement: bool | None = None
    isolate_emulator_thread: bool | None = None
    numa: CpuNuma | None = None


class Hugepages(KubeVirtModel):
    page_size: str


class Memory(KubeVirtModel):
    guest: str | None = None
    hugepages: Hugepages | None = None


class ResourceRequirements(KubeVirtModel):
    requests: dict[str, str] = Field(default_factory=dict)
    limits: dict[str, str] = Field(default_factory=dict)


class DiskTarget(KubeVirtModel):
    bus: str | None = None


class Disk(KubeVirtModel):
    name: str
    disk: DiskTarget | None = None
    boot_order: int | None = None


class Interface(KubeVirtModel):
    name: str
    model: str | None = None
    masquerade: dict[str, Any] | None = None
    bridge: dict[str, Any] | None = None
    mac_address: str | None = None


class I6300esbWatchdog(KubeVirtModel):
    action: Literal["poweroff", "reset", "shutdown"] | None = None


class Watchdog(KubeVirtModel):
    name: str
    i6300esb: I6300esbWatchdog | None = Field(default=None, alias="i6300esb")


class Devices(KubeVirtModel):
    disks: list[Disk] = Field(default_factory=list)
    interfaces: list[Interface] = Field(default_factory=list)
    autoattach_pod_interface: bool | None = None
    autoattach_serial_console: bool | None = None
    log_serial_console: bool | None = None
    """Stream the serial console to the launcher pod's ``guest-console-log`` container; unset
    follows the cluster-wide ``virtualMachineOptions.disableSerialConsoleLog``."""
    watchdog: Watchdog | None = None


class Efi(KubeVirtModel):
    secure_boot: bool | None = None


class Bootloader(KubeVirtModel):
    bios: dict[str, Any] | None = None
    efi: Efi | None = None


class Firmware(KubeVirtModel):
    uuid: str | None = None
    serial: str | None = None
    bootloader: Bootloader | None = None


class FeatureState(KubeVirtModel):
    enabled: bool | None = None


class Features(KubeVirtModel):
    smm: FeatureState | None = None
    """System management mode: KubeVirt requires it for EFI secure boot."""


class Machine(KubeVirtModel):
    type: str | None = None


class Domain(KubeVirtModel):
    firmware: Firmware | None = None
    features: Features | None = None
    machine: Machine | None = None
    cpu: Cpu | None = None
    memory: Memory | None = None
    resources: ResourceRequirements | None = None
    devices: Devices = Field(default_factory=Devices)


class Network(KubeVirtModel):
    name: str
    pod: dict[str, Any] | None = None


class ContainerDiskSource(KubeVirtModel):
    image: str
    path: str | None = None
    image_pull_policy: str | None = None


class CloudInitSource(KubeVirtModel):
    user_data: str | None = None
    user_data_base64: str | None = None
    network_data: str | None = None


class EmptyDiskSource(KubeVirtModel):
    capacity: str


class DataVolumeVolumeSource(KubeVirtModel):
    """A volume backed by the DataVolume ``name`` (the PVC of that name, once CDI populated it)."""

    name: str
    hotpluggable: bool | None = None


class PvcVolumeSource(KubeVirtModel):
    claim_name: str
    read_only: bool | None = None
    hotpluggable: bool | None = None


class Volume(KubeVirtModel):
    """A volume: exactly one source (KubeVirt's VolumeSource is a one-of)."""

    name: str
    container_disk: ContainerDiskSource | None = None
    cloud_init_no_cloud: CloudInitSource | None = None
    cloud_init_config_drive: CloudInitSource | None = None
    empty_disk: EmptyDiskSource | None = None
    persistent_volume_claim: PvcVolumeSource | None = None
    data_volume: DataVolumeVolumeSource | None = None
    # The remaining KubeVirt volume sources, so a valid VMI spec always parses.
    secret: dict[str, Any] | None = None
    config_map: dict[str, Any] | None = None
    service_account: dict[str, Any] | None = None
    downward_api: dict[str, Any] | None = Field(default=None, alias="downwardAPI")
    downward_metrics: dict[str, Any] | None = None
    sysprep: dict[str, Any] | None = None
    host_disk: dict[str, Any] | None = None
    ephemeral: dict[str, Any] | None = None
    memory_dump: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Volume:
        sources = [
            self.container_disk,
            self.cloud_init_no_cloud,
            self.cloud_init_config_drive,
            self.empty_disk,
            self.persistent_volume_claim,
            self.data_volume,
            self.secret,
            self.config_map,
            self.service_account,
            self.downward_api,
            self.downward_metrics,
            self.sysprep,
            self.host_disk,
            self.ephemeral,
            self.memory_dump,
        ]
        if sum(s is not None for s in sources) != 1:
            raise ValueError(f"volume {self.name!r} must have exactly one source")
        return self


class SecretSource(KubeVirtModel):
    secret_name: str


class AccessCredentialSource(KubeVirtModel):
    secret: SecretSource


class UserPasswordPropagation(KubeVirtModel):
    """``qemuGuestAgent: {}``: virt-launcher sets the passwords through the guest agent, again
    whenever the Secret's data changes (no restart)."""

    qemu_guest_agent: dict[str, Any] | None = None


class UserPasswordAccessCredential(KubeVirtModel):
    """``userPassword``: the Secret's keys are guest user names, its values their passwords."""

    source: AccessCredentialSource
    propagation_method: UserPasswordPropagation


class AccessCredential(KubeVirtModel):
    """One ``spec.accessCredentials[]`` entry (KubeVirt also has ``sshPublicKey``, unused here)."""

    user_password: UserPasswordAccessCredential | None = None
    ssh_public_key: dict[str, Any] | None = None


ACCESS_CREDENTIALS_SYNCHRONIZED = "AccessCredentialsSynchronized"
"""virt-handler's VMI condition: True once virt-launcher applied the access credentials through the
guest agent, False (with virt-launcher's message) when it could not; no reason is set."""
AGENT_CONNECTED = "AgentConnected"
"""virt-handler's VMI condition while the guest agent's channel is connected."""


class VmiSpec(KubeVirtModel):
    domain: Domain = Field(default_factory=Domain)
    node_selector: dict[str, str] = Field(default_factory=dict)
    networks: list[Network] = Field(default_factory=list)
    volumes: list[Volume] = Field(default_factory=list)
    hostname: str | None = None
    eviction_strategy: str | None = None
    termination_grace_period_seconds: int | None = None
    # Pod-scheduling fields, passed through to the virt-launcher pod (raw Kubernetes shapes).
    affinity: dict[str, Any] | None = None
    tolerations: list[dict[str, Any]] = Field(default_factory=list)
    access_credentials: list[AccessCredential] | None = None


class VmiTemplate(KubeVirtModel):
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: VmiSpec = Field(default_factory=VmiSpec)


class VmSpec(KubeVirtModel):
    run_strategy: RunStrategy | None = None
    running: bool | None = None
    """Deprecated predecessor of run_strategy: true means Always, false means Halted."""
    template: VmiTemplate = Field(default_factory=VmiTemplate)
    data_volume_templates: list[DataVolumeTemplateSpec] = Field(default_factory=list)
    """DataVolumes virt-controller creates (owned by the VM) before it starts the VMI."""


class StateChangeRequest(KubeVirtModel):
    action: Literal["Start", "Stop"]
    uid: str | None = None


class StartFailure(KubeVirtModel):
    """Consecutive VMI start failures, used for the CrashLoopBackOff restart delay."""

    consecutive_fail_count: int = 0
    last_failed_vmi_uid: str | None = Field(default=None, alias="lastFailedVMIUID")
    retry_after_timestamp: str | None = None


class VmStatus(KubeVirtModel):
    printable_status: PrintableStatus | None = None
    created: bool | None = None
    ready: bool | None = None
    conditions: list[Condition] = Field(default_factory=list)
    state_change_requests: list[StateChangeRequest] = Field(default_factory=list)
    observed_generation: int | None = None
    desired_generation: int | None = None
    run_strategy: RunStrategy | None = None
    start_failure: StartFailure | None = None


class VirtualMachine(KubeVirtModel):
    api_version: str = Field(default=API_VERSION, alias="apiVersion")
    kind: str = VIRTUAL_MACHINE.kind
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: VmSpec = Field(default_factory=VmSpec)
    status: VmStatus = Field(default_factory=VmStatus)


class VmiInterfaceStatus(KubeVirtModel):
    name: str | None = None
    ip_address: str | None = None
    ip_addresses: list[str] = Field(default_factory=list)
    mac: str | None = None
    interface_name: str | None = None
    info_source: str | None = None


class MigrationState(KubeVirtModel):
    migration_uid: str | None = None
    source_node: str | None = None
    target_node: str | None = None
    completed: bool | None = None
    failed: bool | None = None
    start_timestamp: str | None = None
    end_timestamp: str | None = None
    source_pod: str | None = None
    target_pod: str | None = None
    target_node_address: str | None = None
    mode: str | None = None
    abort_requested: bool | None = None
    failure_reason: str | None = None


class PhaseTransitionTimestamp(KubeVirtModel):
    phase: str
    phase_transition_timestamp: str | None = None


class VmiStatus(KubeVirtModel):
    phase: VmiPhase | None = None
    node_name: str | None = None
    reason: str | None = None
    interfaces: list[VmiInterfaceStatus] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    migration_state: MigrationState | None = None
    phase_transition_timestamps: list[PhaseTransitionTimestamp] = Field(default_factory=list)
    active_pods: dict[str, str] = Field(default_factory=dict)
    qos_class: str | None = None
    migration_method: str | None = None
    launcher_container_image_version: str | None = None


class VirtualMachineInstance(KubeVirtModel):
    api_version: str = Field(default=API_VERSION, alias="apiVersion")
    kind: str = VIRTUAL_MACHINE_INSTANCE.kind
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: VmiSpec = Field(default_factory=VmiSpec)
    status: VmiStatus = Field(default_factory=VmiStatus)


class MigrationSpec(KubeVirtModel):
    vmi_name: str
    added_node_selector: dict[str, str] | None = None
    """KubeVirt 1.6+: restricts the target nodes further; the VMI's own selector wins on a key
    collision (it can only restrict, never bypass, the VM's constraints)."""


class MigrationStatus(KubeVirtModel):
    phase: MigrationPhase | None = None
    phase_transition_timestamps: list[PhaseTransitionTimestamp] = Field(default_factory=list)
    migration_state: MigrationState | None = None
    conditions: list[Condition] = Field(default_factory=list)


class VirtualMachineInstanceMigration(KubeVirtModel):
    api_version: str = Field(default=API_VERSION, alias="apiVersion")
    kind: str = VIRTUAL_MACHINE_INSTANCE_MIGRATION.kind
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: MigrationSpec
    status: MigrationStatus = Field(default_factory=MigrationStatus)
