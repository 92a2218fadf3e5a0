"""Scheduling the members of one multi-create request as ONE request, all or nothing.

The first member of a complete set (``reservation.complete``) to get here places every member
still unplaced in one decision under the ledger's lock (``PlacementLedger.place_set``): one quota
recheck of them all (over quota: every member ERROR with Nova's "Quota exceeded" fault), a host
for each in turn on host states that hold the earlier members (``scheduler.set_selection``; the
group policies hold across the set), every host claimed in the ledger, then each member's status
written (one patch per member: BUILD/spawning with its host). When any member finds no host,
every member goes to ERROR with ``NoValidHost`` ("There are not enough hosts available.") and
none is placed. A member whose status another member's handler wrote is then built by its own
handler (its watch event: ``build.needs_vm``). The other members' status patches are written
without their Server locks (``Runtime.locks``): their handlers may hold them while they wait for
the ledger's lock, so taking them would deadlock. That is safe because a member waiting to be
placed writes no status of its own, and every status patch is conditional on the resourceVersion
(``writer.apply`` decides again on a conflict: ``operations.placed`` of a member placed or failed
meanwhile is nothing).

A member whose own references do not resolve (or whose image does not fit its flavor) fails on
its own, as a single server does, and is left out of the set's decision; the gateway never writes
such a set (every member has the same flavor and image, checked before any is written).

Restart: a member is placed once its status names a host. An operator stopped between the member
patches leaves some members placed and the others BUILD without a host; the set counts as
complete (``status.reservations``), and the next member to reconcile places the rest, again as
one decision, next to the placed ones. (Only then could a set end up split: when the rest no
longer fits because the capacity went to other servers while the operator was down.)
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence

from kubenova import status
from kubenova.domain import flavors, guest_shape, quotas
from kubenova.handlers import quota_limits
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import ledger, references, scheduling, writer
from kubenova.resources.image import Image
from kubenova.resources.server import EmbeddedFlavor, Server
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.status import operations, reservations

Taken = dict[str, tuple[Server, EmbeddedFlavor, Image]]
"""The members a decision covers, by server id: the Server as collected, its flavor and image."""


def members(rt: Runtime, server: Server, reservation: str) -> list[Server]:
    """The Servers of ``server``'s reservation in its namespace, as the view has them now."""
    namespace = server.metadata.namespace or ""
    return [s for s in rt.view.servers_in(namespace) if reservations.reservation_of(s) == reservation]


def _buildable(rt: Runtime, member: Server) -> tuple[EmbeddedFlavor, Image] | None:
    """The flavor and image ``member`` is built with; ``None`` when it would fail on its own."""
    try:
        refs = references.resolve(rt.view, member)
    except references.MissingReference:
        return None
    flavor = flavors.embed(refs.flavor)
    refused = (
        flavors.image_fit_error(flavor, refs.image)
        or flavors.root_disk_error(flavor, refs.image)
        or guest_shape.refusal(flavor.vcpus, flavor.extra_specs, refs.image.spec.properties)
    )
    return None if refused is not None else (flavor, refs.image)


async def schedule(rt: Runtime, server: Server) -> Server | None:
    """Place ``server``'s whole set (the members not placed yet), or refuse it whole; the
    Server afterwards (``None`` if it is gone)."""
    reservation = reservations.reservation_of(server)
    ref = writer.ref_of(server)
    if reservation is None:
        return server
    taken: Taken = {}
    while True:
        collect = functools.partial(_collect, rt, server, reservation, taken)
        try:
            await rt.ledger.place_set(
                collect,
                rt.view,
                functools.partial(_persist, rt, taken),
                functools.partial(_refuse, rt, taken),
                _admit_set(rt, server),
            )
            return rt.view.server(ref, server)
        except quota_limits.NotReady:
            if rt.quotas is not None:
                await asyncio.to_thread(rt.quotas.wait_synced, 5.0)
            continue
        except NoValidHost:
            pass  # not refused yet: a Node created a moment before may still come
        await rt.view.changed(rt.settings.reference_grace_seconds - _youngest_age(taken))
        fresh = rt.view.server(ref, server)
        if fresh is None or fresh.metadata.deletion_timestamp or not reservations.unplaced(fresh):
            return fresh
        server = fresh


def _collect(rt: Runtime, server: Server, reservation: str, taken: Taken) -> list[RequestSpec]:
    """The request specs of the set's members still to place (in launch order), noting each
    member's Server, flavor and image in ``taken``; called under the ledger's lock."""
    taken.clear()
    specs = []
    for member in sorted(members(rt, server, reservation), key=reservations.launch_index):
        if member.metadata.deletion_timestamp or not reservations.unplaced(member):
            continue
        found = _buildable(rt, member)
        if found is None:
            continue
        flavor, image = found
        taken[member.server_id] = (member, flavor, image)
        specs.append(scheduling.with_group(scheduling.request_spec(member, flavor, image), rt.view, member))
    return specs


async def _persist(rt: Runtime, taken: Taken, spec: RequestSpec, host: HostState) -> str | None:
    member, flavor, image = taken[spec.instance_uid]
    current = rt.view.server(writer.ref_of(member), member)
    if current is None:
        return None

    def decide(s: Server) -> status.Transition | None:
        zone = host.availability_zone
        return operations.placed(s, host=host.name, zone=zone, flavor=flavor, image_id=image.image_id)

    written = await writer.apply(rt, current, decide)
    return written.status.host if written is not None else None


async def _refuse(
    rt: Runtime,
    taken: Taken,
    specs: Sequence[RequestSpec],
    error: NoValidHost | quotas.QuotaExceeded,
) -> bool:
    """Every member ERROR with the set's fault; a NoValidHost of a young set waits instead."""
    if isinstance(error, NoValidHost) and _youngest_age(taken) < rt.settings.reference_grace_seconds:
        return False
    for spec in specs:
        member = taken[spec.instance_uid][0]
        current = rt.view.server(writer.ref_of(member), member)
        if current is None:
            continue
        if isinstance(error, NoValidHost):
            decide = functools.partial(operations.no_valid_host, error=error)
        else:
            decide = functools.partial(operations.build_failed, message=str(error))
        await writer.apply(rt, current, decide)
    return True


def _admit_set(rt: Runtime, server: Server) -> ledger.AdmitSet | None:
    """The quota recheck of the whole set: its members together on top of the placements held."""
    if rt.quotas is None:
        return None

    def admit(placements: ledger.Held, specs: Sequence[RequestSpec]) -> None:
        requested = quotas.Usage(len(specs), sum(s.vcpus for s in specs), sum(s.memory_mb for s in specs))
        check = scheduling.quota_recheck(rt, server, requested)
        if check is not None:
            check(placements)

    return admit


def _youngest_age(taken: Taken) -> float:
    return min((scheduling.age_seconds(member) for member, _, _ in taken.values()), default=0.0)
