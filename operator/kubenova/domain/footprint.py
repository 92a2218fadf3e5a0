"""What a server holds of its host and its project's quota: vCPUs, RAM and disk.

One rule for the operator's placement (capacity on a host), the gateway's hypervisor figures and
its quota checks, so the numbers agree: a server holds its embedded flavor; disk is root +
ephemeral + swap rounded up to GiB.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubenova.quantities import mib_to_gib_ceil
from kubenova.resources.flavor import FlavorSpec
from kubenova.resources.server import EmbeddedFlavor, Server
from kubenova.resources.states import TaskState, VmState


@dataclass(frozen=True)
class Footprint:
    """What one server holds: vCPUs, RAM (MiB) and disk (GiB)."""

    vcpus: int = 0
    ram: int = 0
    disk_gb: int = 0


def disk_gb(root_gb: int, ephemeral_gb: int, swap_mb: int) -> int:
    """The local disk a server takes: root + ephemeral + swap, swap rounded up to whole GiB."""
    return root_gb + ephemeral_gb + mib_to_gib_ceil(swap_mb)


def of_flavor(flavor: EmbeddedFlavor | FlavorSpec) -> Footprint:
    """The footprint of a server sized by ``flavor`` (embedded, or a Flavor's spec)."""
    return Footprint(flavor.vcpus, flavor.ram, disk_gb(flavor.disk, flavor.ephemeral, flavor.swap))


# Nova's resource tracker counts these as the host's "current workload" (its num_io_ops).
_WORKLOAD_TASK_STATES = frozenset(
    {
        TaskState.RESIZE_MIGRATING,
        TaskState.REBUILDING,
        TaskState.RESIZE_PREP,
        TaskState.IMAGE_SNAPSHOT,
        TaskState.IMAGE_BACKUP,
        TaskState.RESCUING,
        TaskState.UNSHELVING,
    }
)


def adds_to_workload(server: Server) -> bool:
    """Whether the server adds to its host's current workload (building or in a long task)."""
    return server.status.vm_state is VmState.BUILDING or server.status.task_state in _WORKLOAD_TASK_STATES
