"""A multi-create's Server waits for the rest of its reservation before it is built, and is
deleted when the rest never comes (``status.reservations`` decides)."""

from __future__ import annotations

import contextlib
import logging

from kubenova import k8s
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import scheduling, writer
from kubenova.resources.server import Server
from kubenova.status import reservations
from kubenova.status.reservations import Verdict

LOG = logging.getLogger(__name__)


def _members(rt: Runtime, server: Server, reservation: str) -> list[Server]:
    namespace = server.metadata.namespace
    return [
        s
        for s in rt.view.servers()
        if s.metadata.namespace == namespace and reservations.reservation_of(s) == reservation
    ]


async def complete(rt: Runtime, server: Server) -> bool:
    """``True`` when ``server`` may be placed now; waits (on the view) while its set fills, and
    deletes it when the set stayed incomplete past the grace period."""
    reservation = reservations.reservation_of(server)
    if reservation is None:
        return True
    ref = writer.ref_of(server)
    while True:
        server = rt.view.server(ref, server) or server
        if server.metadata.deletion_timestamp:
            return False  # the teardown comes next
        members = _members(rt, server, reservation) or [server]
        newest = min(scheduling.age_seconds(m) for m in members)
        found = reservations.check(
            server, members, newest_age=newest, grace=rt.settings.reservation_grace_seconds
        )
        if found.verdict is Verdict.GO:
            return True
        if found.verdict is Verdict.ABANDON:
            await _abandon(rt, server, len(members))
            return False
        await rt.view.changed(found.wait_seconds)


async def _abandon(rt: Runtime, server: Server, seen: int) -> None:
    ref = writer.ref_of(server)
    size = reservations.size_of(server)
    LOG.warning("Server %s: its multi-create wrote %d of %d servers; deleting it", ref, seen, size)
    with contextlib.suppress(k8s.NotFound):
        await rt.client.delete(k8s.SERVERS, ref.name, ref.namespace, uid=server.server_id)
    message = f"Only {seen} of the {size} servers of this request were created: deleting it (all or none)"
    rt.events.post(server, reason="ReservationIncomplete", message=message)
