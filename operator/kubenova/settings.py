"""Operator settings, read once at start from ``KUBENOVA_*`` environment variables.

Nova spreads these options over ``nova.conf`` sections; here they are one validated object so a
typo fails the operator at start instead of the first server create. Scheduler options are
handed to the pure scheduler as a ``SchedulerConfig`` (``scheduler_config``).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from kubenova.domain.concurrent_builds import DEFAULT_MAX_CONCURRENT_BUILDS
from kubenova.domain.quotas import NOVA_DEFAULTS
from kubenova.scheduler import config as scheduler_config


class Settings(BaseSettings):
    """Everything an administrator may tune. Defaults suit a cluster where Node allocatable
    already excludes system reservations (so Nova's ``reserved_host_*`` default to 0)."""

    model_config = SettingsConfigDict(env_prefix="KUBENOVA_", frozen=True, extra="ignore")

    # --- scheduling (Nova [DEFAULT]/[filter_scheduler]) ---
    cpu_allocation_ratio: float = Field(default=4.0, gt=0, description="vCPU overcommit per host.")
    ram_allocation_ratio: float = Field(default=1.0, gt=0, description="RAM overcommit per host.")
    disk_allocation_ratio: float = Field(default=1.0, gt=0, description="Disk overcommit per host.")
    reserved_host_cpus: int = Field(default=0, ge=0)
    reserved_host_memory_mb: int = Field(default=0, ge=0)
    reserved_host_disk_mb: int = Field(default=0, ge=0)
    default_availability_zone: str = Field(default="nova", min_length=1)
    max_instances_per_host: int = Field(
        default=50, ge=0, description="Limit of NumInstancesFilter (Nova default 50), off by default."
    )
    enabled_filters: Annotated[tuple[str, ...], NoDecode] = scheduler_config.DEFAULT_FILTERS
    enabled_weighers: Annotated[tuple[str, ...], NoDecode] = scheduler_config.DEFAULT_WEIGHERS
    build_failure_weight_multiplier: float = Field(
        default=1000000.0,
        description="BuildFailureWeigher: how strongly hosts with failed builds are avoided.",
    )
    max_io_ops_per_host: int = Field(default=8, ge=0, description="Limit of IoOpsFilter (off by default).")
    io_ops_weight_multiplier: float = Field(
        default=-1.0, description="IoOpsWeigher: negative prefers hosts with fewer builds/moves in flight."
    )
    host_subset_size: int = Field(default=1, ge=1)
    isolated_images: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="IsolatedHostsFilter: image ids that run only on isolated_hosts."
    )
    isolated_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="IsolatedHostsFilter: Node names of the isolated hosts."
    )
    restrict_isolated_hosts_to_isolated_images: bool = True
    aggregate_image_properties_isolation_namespace: str = ""
    aggregate_image_properties_isolation_separator: str = "."
    soft_affinity_weight_multiplier: float = Field(
        default=1.0, ge=0, description="Weight of ServerGroupSoftAffinityWeigher (Nova's default 1.0)."
    )
    soft_anti_affinity_weight_multiplier: float = Field(
        default=1.0, ge=0, description="Weight of ServerGroupSoftAntiAffinityWeigher (Nova's default 1.0)."
    )
    compute_node_selector: str = Field(
        default="",
        description="Label selector choosing the Nodes that are compute hosts; empty: every Node.",
    )

    # --- servers ---
    network_label: str = Field(
        default="private", min_length=1, description="Nova network name under which addresses are listed."
    )
    reference_grace_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a new Server waits for a missing Flavor/Image/Keypair before ERROR "
        "(covers `kubectl apply -f dir/` creating them in any order).",
    )
    reservation_grace_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long the Servers of an incomplete multi-create wait, after the newest of them "
        "appeared, for the rest before they are deleted (the request is all or nothing).",
    )
    max_concurrent_builds: int = Field(
        default=DEFAULT_MAX_CONCURRENT_BUILDS,
        ge=0,
        description="Nova's max_concurrent_builds: servers a host builds at once (VM created, not yet "
        "ACTIVE); later ones wait on their host in the order they came; 0 = unlimited.",
    )
    resync_seconds: float = Field(
        default=30.0, gt=0, description="Level-triggered re-check of every Server against its VM/VMI."
    )
    actions_limit: int = Field(default=100, ge=1, description="Most entries kept in status.actions.")
    cloud_init_inline_limit: int = Field(
        default=2048,
        ge=0,
        description="Largest user data (bytes) put inline in the VM; larger goes to a Secret "
        "(KubeVirt rejects inline cloud-init user data over 2048 bytes).",
    )

    allow_resize_to_same_host: bool = Field(
        default=False, description="Nova's allow_resize_to_same_host: a resize may keep the server's host."
    )
    resize_confirm_window: float = Field(
        default=0,
        ge=0,
        description="Nova's resize_confirm_window: seconds after which a resize waiting in VERIFY_RESIZE "
        "is confirmed automatically; 0: never.",
    )
    storage_class: str = Field(
        default="",
        description="StorageClass of the servers' persistent root, ephemeral and swap disks "
        "(CDI DataVolumes); empty: the cluster's default StorageClass.",
    )
    deleted_server_retention_seconds: float = Field(
        default=30 * 24 * 3600.0,
        ge=0,
        description="How long a deleted server's record (ServerRecord: what Nova keeps of a deleted "
        "instance, its action log included) is kept before the operator deletes it; Nova keeps the "
        "rows until an administrator archives them. Default 30 days.",
    )

    reclaim_instance_interval_seconds: float = Field(
        default=0,
        ge=0,
        description="Nova's reclaim_instance_interval: how long a soft-deleted server (spec.softDeleted) "
        "is kept before the operator deletes it; 0: never (and the gateway deletes at once). Must equal "
        "the gateway's KUBENOVA_API_RECLAIM_INSTANCE_INTERVAL_SECONDS.",
    )

    shelved_offload_time: int = Field(
        default=0,
        ge=-1,
        description="Nova's shelved_offload_time: seconds a SHELVED server keeps its host before the "
        "operator offloads it (checked at the resync); 0: offloaded at once as part of the shelve; "
        "-1: never (only shelveOffload offloads).",
    )

    # --- quotas (Nova [quota]; the gateway's KUBENOVA_API_QUOTAS__* must be the same) ---
    identity_namespace: str = Field(
        default="kubenova-system",
        min_length=1,
        description="Namespace of the gateway's quota ConfigMap (kubenova-quotas) the operator enforces.",
    )
    quota_instances: int = Field(default=NOVA_DEFAULTS["instances"], ge=-1, description="Default instances.")
    quota_cores: int = Field(default=NOVA_DEFAULTS["cores"], ge=-1, description="Default cores quota.")
    quota_ram: int = Field(default=NOVA_DEFAULTS["ram"], ge=-1, description="Default RAM quota (MiB).")

    # --- operator process ---
    namespaces: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="Namespaces (projects) whose Servers are served; empty: all (cluster-wide)."
    )
    liveness_endpoint: str | None = Field(default=None, description="e.g. http://0.0.0.0:8080/healthz")

    @field_validator(
        "namespaces",
        "enabled_filters",
        "enabled_weighers",
        "isolated_images",
        "isolated_hosts",
        mode="before",
    )
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    def quota_defaults(self) -> dict[str, int]:
        """The configured default limits of the quota resources a server consumes."""
        return {"instances": self.quota_instances, "cores": self.quota_cores, "ram": self.quota_ram}

    def scheduler_config(self) -> scheduler_config.SchedulerConfig:
        """The scheduler's view of these settings."""
        return scheduler_config.SchedulerConfig(
            cpu_allocation_ratio=self.cpu_allocation_ratio,
            ram_allocation_ratio=self.ram_allocation_ratio,
            disk_allocation_ratio=self.disk_allocation_ratio,
            reserved_host_cpus=self.reserved_host_cpus,
            reserved_host_memory_mb=self.reserved_host_memory_mb,
            reserved_host_disk_mb=self.reserved_host_disk_mb,
            default_availability_zone=self.default_availability_zone,
            max_instances_per_host=self.max_instances_per_host,
            enabled_filters=self.enabled_filters,
            enabled_weighers=self.enabled_weighers,
            max_io_ops_per_host=self.max_io_ops_per_host,
            build_failure_weight_multiplier=self.build_failure_weight_multiplier,
            io_ops_weight_multiplier=self.io_ops_weight_multiplier,
            host_subset_size=self.host_subset_size,
            isolated_images=self.isolated_images,
            isolated_hosts=self.isolated_hosts,
            restrict_isolated_hosts_to_isolated_images=self.restrict_isolated_hosts_to_isolated_images,
            aggregate_image_properties_isolation_namespace=self.aggregate_image_properties_isolation_namespace,
            aggregate_image_properties_isolation_separator=self.aggregate_image_properties_isolation_separator,
            soft_affinity_weight_multiplier=self.soft_affinity_weight_multiplier,
            soft_anti_affinity_weight_multiplier=self.soft_anti_affinity_weight_multiplier,
        )
