"""Pure: what a server holds of its hosts, with a resize under way or waiting for confirmation.

Nova keeps two allocations while a server resizes: the old flavor on the source host (held by
the migration record) and the new flavor on the target host, until confirmResize releases the
source or revertResize releases the target. Same-host resizes hold both on the one host, as
Nova's placement does. The second placement is keyed ``<uid>/resize`` so the host states count
it apart from the first (and a same-host resize is not mistaken for one placement twice).
"""

from __future__ import annotations

import dataclasses

from kubenova.domain import footprint
from kubenova.domain.resize_rules import HOLD_SUFFIX
from kubenova.resources.server import EmbeddedFlavor, ResizeRecord, Server
from kubenova.scheduler import io_ops
from kubenova.scheduler.usage import PlacedServer


def placed(uid: str, host: str, flavor: EmbeddedFlavor) -> PlacedServer:
    held = footprint.of_flavor(flavor)
    return PlacedServer(uid, host, held.vcpus, held.ram, held.disk_gb)


def placements(
    uid: str, host: str, flavor: EmbeddedFlavor, record: ResizeRecord | None
) -> list[PlacedServer]:
    """The placements of a server on ``host`` with ``flavor`` and maybe a resize ``record``: one,
    or while resizing (until confirm/revert) the source under ``uid`` and the target under
    ``uid/resize``, whichever of them the server's host and flavor are at the moment."""
    if record is None:
        return [placed(uid, host, flavor)]
    return [
        placed(uid, record.source_host, record.source_flavor),
        placed(uid + HOLD_SUFFIX, record.target_host, record.target_flavor),
    ]


def held_by(server: Server) -> list[PlacedServer]:
    """What ``server`` holds as its status says: nothing without a host and flavor, else
    ``placements``, marked as I/O operations while it builds or moves and as a failed build when
    its build failed on its host (``io_ops``)."""
    host, flavor, uid = server.status.host, server.status.flavor, server.metadata.uid
    if host is None or flavor is None or not uid:
        return []
    held = placements(uid, host, flavor, server.status.resize)
    if io_ops.is_io_workload(server.status.vm_state, server.status.task_state):
        held = [dataclasses.replace(p, io_op=True) for p in held]
    if io_ops.is_failed_build(server.status.vm_state, server.status.launched_at):
        held = [dataclasses.replace(p, failed_build=True) for p in held]
    return held
