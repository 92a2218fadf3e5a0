"""What one server asks of a host: Nova's ``RequestSpec``, reduced to what the filters read.

Sizes come from the flavor as Nova stores them (RAM and swap in MiB, disks in GiB). The caller
builds it from a Server, its Flavor and Image, so the scheduler never reads a custom resource.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kubenova.domain import footprint
from kubenova.scheduler.server_group import GroupSpec


@dataclass(frozen=True)
class RequestSpec:
    """A request to place ``num_instances`` servers of one flavor.

    ``availability_zone`` is the zone part of Nova's ``zone:host``; ``forced_host`` the host part
    (admins only). ``same_host``/``different_host`` are the scheduler hints: server uids.
    """

    instance_uid: str
    project_id: str
    vcpus: int
    memory_mb: int
    root_gb: int = 0
    ephemeral_gb: int = 0
    swap_mb: int = 0
    availability_zone: str | None = None
    forced_host: str | None = None
    flavor_extra_specs: dict[str, str] = field(default_factory=dict)
    image_properties: dict[str, str] = field(default_factory=dict)
    image_id: str | None = None
    same_host: frozenset[str] = frozenset()
    different_host: frozenset[str] = frozenset()
    num_instances: int = 1
    group: GroupSpec | None = None
    """The server group the server joins (the ``group`` hint), with its policy and members."""

    def __post_init__(self) -> None:
        if self.num_instances < 1:
            raise ValueError(f"num_instances must be at least 1, got {self.num_instances}")

    @property
    def disk_gb(self) -> int:
        """Local disk the server takes: root + ephemeral + swap, swap rounded up to whole GiB."""
        return footprint.disk_gb(self.root_gb, self.ephemeral_gb, self.swap_mb)
