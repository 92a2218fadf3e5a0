"""Building a Server: BUILD/scheduling → host chosen and persisted → VirtualMachine created.

Each step is persisted before the next side effect, and each step first looks at what is
already persisted, so running the whole thing again (kopf retries it, ``on.resume`` re-runs it
after a restart) continues where it stopped: a placed Server is not placed again, and a VM that
exists already (409) is adopted, never duplicated. From there ``observe`` takes over: the VMI
running makes the Server ACTIVE.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import UTC, datetime
from typing import Any

import kopf

from kubenova import events, k8s, status
from kubenova.handlers import runtime
from kubenova.handlers.runtime import Runtime, ServerRef
from kubenova.handlers.servers import observe, placement, references, requests, transitions, writer
from kubenova.kubevirt import builder
from kubenova.kubevirt.client import VirtualMachines
from kubenova.resources.base import GROUP, VERSION
from kubenova.resources.server import Server
from kubenova.resources.states import VmState
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_state import HostState, PlacedServer

LOG = logging.getLogger(__name__)


@kopf.index(GROUP, VERSION, "servers")
def server_placements(body: kopf.Body, **_: Any) -> dict[str, PlacedServer]:
    """Every placed Server by uid: the persisted half of the placement usage."""
    placed = placement.placed_server(Server.model_validate(dict(body)))
    return {placed.uid: placed} if placed is not None else {}


@kopf.on.resume(GROUP, VERSION, "servers")
@kopf.on.create(GROUP, VERSION, "servers")
async def build_server(body: kopf.Body, memo: kopf.Memo, **kwargs: Any) -> None:
    """Drive a new (or, after a restart, unfinished) Server up to a created VM."""
    rt = runtime.of(memo)
    ref = ServerRef.of(body)
    index: kopf.Index[str, PlacedServer] = kwargs["server_placements"]  # kopf passes indexes by name

    def indexed() -> list[PlacedServer]:
        return [placed for store in index.values() for placed in store]

    async with rt.locks.hold(ref):
        await ensure_built(rt, ref, indexed)
        await observe.reconcile_locked(rt, ref)


async def ensure_built(rt: Runtime, ref: ServerRef, indexed: placement.Indexed) -> None:
    """Every build step not yet persisted, in order. Caller holds the Server's lock."""
    server = await writer.apply(rt, ref, lambda s: transitions.begin_build(s, requests.request_id(s)))
    if server is None or server.metadata.deletion_timestamp or server.status.vm_state != VmState.BUILDING:
        return
    if server.status.host is None:
        server = await _schedule(rt, ref, server, indexed)
        if server is None or server.status.host is None:
            return
    await _spawn(rt, ref, server)


async def _schedule(rt: Runtime, ref: ServerRef, server: Server, indexed: placement.Indexed) -> Server | None:
    try:
        refs = await _resolve_within_grace(rt, server)
    except references.MissingReference as missing:
        await _fail(rt, ref, str(missing))
        return None
    flavor = requests.embedded_flavor(refs.flavor)
    too_small = requests.image_fit_error(flavor, refs.image)
    if too_small is not None:
        await _fail(rt, ref, too_small)
        return None

    async def persist(host: HostState) -> str | None:
        def decide(s: Server) -> status.Transition | None:
            return transitions.placed(
                s, host=host.name, zone=host.availability_zone, flavor=flavor, image_id=refs.image.image_id
            )

        updated = await writer.apply(rt, ref, decide)
        return updated.status.host if updated is not None else None

    try:
        await rt.placement.place(requests.request_spec(server, flavor, refs.image), indexed, persist)
    except NoValidHost as error:
        await writer.apply(rt, ref, functools.partial(transitions.no_valid_host, error=error))
        return None
    return await writer.read(rt, ref)


async def _resolve_within_grace(rt: Runtime, server: Server) -> references.References:
    """The references, waiting out the grace period of a young Server for missing ones."""
    while True:
        try:
            return await references.resolve(rt.client, server)
        except references.MissingReference:
            if _age_seconds(server) >= rt.settings.reference_grace_seconds:
                raise
        await asyncio.sleep(0.5)


async def _spawn(rt: Runtime, ref: ServerRef, server: Server) -> None:
    """Create the VirtualMachine (or adopt the one a previous run created)."""
    host, flavor = server.status.host, server.status.flavor
    if host is None or flavor is None:
        return
    try:
        image = await references.image(rt.client, server.spec.image)
        keypair = await references.keypair(rt.client, server)
    except references.MissingReference as missing:
        await _fail(rt, ref, str(missing))
        return
    plan = builder.build(
        server=server,
        flavor=flavor,
        image=image,
        keypair=keypair,
        host=host,
        inline_limit=rt.settings.cloud_init_inline_limit,
    )
    vms = VirtualMachines(rt.client)
    try:
        await vms.create(plan)
    except k8s.AlreadyExists:
        await _adopt(vms, server)
        return
    except k8s.Invalid as invalid:
        await _fail(rt, ref, "VirtualMachine was rejected by the API server.", invalid.message)
        return
    events.post(
        server, reason="Spawning", message=f"VirtualMachine {plan.vm.metadata.name} created on {host}"
    )


async def _adopt(vms: VirtualMachines, server: Server) -> None:
    existing = await vms.get(server.metadata.namespace or "", server.metadata.name)
    if existing is None:
        raise kopf.TemporaryError("VirtualMachine vanished while being adopted; retrying", delay=1)
    if not builder.owned_by(existing.vm.metadata, server.server_id):
        # Left by an earlier Server of the same name; the garbage collector is removing it.
        raise kopf.TemporaryError(
            "A VirtualMachine of an earlier server with this name still exists", delay=2
        )
    LOG.info(
        "Server %s/%s: adopted the existing VirtualMachine", server.metadata.namespace, server.metadata.name
    )


async def _fail(rt: Runtime, ref: ServerRef, message: str, details: str | None = None) -> None:
    await writer.apply(rt, ref, lambda s: transitions.build_failed(s, message, details))


def _age_seconds(server: Server) -> float:
    created = server.metadata.creation_timestamp
    if not created:
        return 0.0
    born = datetime.fromisoformat(created.replace("Z", "+00:00"))
    return (datetime.now(UTC) - born).total_seconds()
