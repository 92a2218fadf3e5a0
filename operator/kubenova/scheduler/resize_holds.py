"""Pure: what a server holds of its hosts, with a resize under way or waiting for confirmation.

Nova keeps two allocations while a server resizes: the old flavor on the source host (held by
the migration record) and the new flavor on the target host, until confirmResize releases the
source or revertResize releases the target. Same-host resizes hold both on the one host, as
Nova's placement does. The second placement is keyed ``<uid>/resize`` so the host states count
it apart from the first (and a same-host resize is not mistaken for one placement twice).
"""

from __future__ import annotations

from kubenova.domain import footprint
from kubenova.domain.resize_rules import HOLD_SUFFIX
from kubenova.resources.server import EmbeddedFlavor, ResizeRecord
from kubenova.scheduler.host_state import PlacedServer


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
