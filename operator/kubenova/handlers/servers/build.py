"""Building a Server: references resolved → host chosen and persisted (one status write) →
VirtualMachine created.

Each step is persisted before the next side effect, and each step first looks at what is
already persisted, so running it again (the next event, the resync, a restart) continues where
it stopped: a placed Server is not placed again, and a VM that exists already is adopted, never
duplicated. From there ``observe`` takes over: the VMI running makes the Server ACTIVE.
"""

from __future__ import annotations

import logging

from kubenova import k8s
from kubenova.domain import flavors, guest_shape
from kubenova.handlers.cluster_view import VMS
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import references, scheduling, set_scheduling, writer
from kubenova.kubevirt import builder
from kubenova.kubevirt.client import ObservedVm, VirtualMachines
from kubenova.resources.server import Server
from kubenova.resources.states import TaskState, VmState
from kubenova.status import operations, reservations

LOG = logging.getLogger(__name__)


def needs_placing(server: Server) -> bool:
    return server.status.vm_state is None or (
        server.status.vm_state is VmState.BUILDING and server.status.host is None
    )


def needs_vm(rt: Runtime, server: Server) -> bool:
    """Placed, spawning, and no VM of that name in sight (ours or one still going away)."""
    placed = server.status.host is not None and server.status.task_state is TaskState.SPAWNING
    return placed and server.status.vm_state is VmState.BUILDING and not rt.view.has_vm(writer.ref_of(server))


async def place(rt: Runtime, server: Server) -> Server | None:
    """Resolve, check and schedule a new Server, then create its VM."""
    try:
        refs = await _resolve_within_grace(rt, server)
    except references.MissingReference as missing:
        return await _fail(rt, server, str(missing))
    server = rt.view.server(writer.ref_of(server), server) or server
    if server.metadata.deletion_timestamp or not needs_placing(server):
        return server
    flavor = flavors.embed(refs.flavor)
    too_small = (
        flavors.image_fit_error(flavor, refs.image)
        or flavors.root_disk_error(flavor, refs.image)
        or guest_shape.refusal(flavor.vcpus, flavor.extra_specs, refs.image.spec.properties)
    )
    if too_small is not None:
        return await _fail(rt, server, too_small)
    if reservations.reservation_of(server) is not None:  # a multi-create: its set as one request
        placed = await set_scheduling.schedule(rt, server)
    else:
        placed = await scheduling.schedule(rt, server, flavor, refs.image)
    if placed is None or placed.status.host is None or placed.metadata.deletion_timestamp:
        return placed
    return await spawn(rt, placed, refs)


async def _resolve_within_grace(rt: Runtime, server: Server) -> references.References:
    """The references, waiting (on the view) out the grace period of a young Server;
    ``MissingReference`` for one still missing after it."""

    def resolved() -> references.References | None:
        try:
            return references.resolve(rt.view, server)
        except references.MissingReference:
            return None

    remaining = rt.settings.reference_grace_seconds - scheduling.age_seconds(server)
    refs = await rt.view.wait_for(resolved, remaining)
    return refs if refs is not None else references.resolve(rt.view, server)


async def spawn(rt: Runtime, server: Server, refs: references.References | None = None) -> Server | None:
    """Create the VirtualMachine (or adopt the one a previous run created)."""
    host, flavor, ref = server.status.host, server.status.flavor, writer.ref_of(server)
    if host is None or flavor is None or rt.view.has_vm(ref):
        return server  # a VM of an earlier same-named server is waited out: its removal wakes us
    try:
        image = refs.image if refs is not None else references.image(rt.view, server)
        keypair = refs.keypair if refs is not None else references.keypair(rt.view, server)
    except references.MissingReference as missing:
        return await _fail(rt, server, str(missing))
    refused = guest_shape.refusal(flavor.vcpus, flavor.extra_specs, image.spec.properties)
    if refused is not None:
        return await _fail(rt, server, refused)
    if not rt.build_slots.may_start(server):  # max_concurrent_builds: woken when a slot frees
        LOG.debug("Server %s: waiting for a build slot on %s", ref, host)
        return server
    plan = builder.build(
        server=server,
        flavor=flavor,
        image=image,
        keypair=keypair,
        host=host,
        inline_limit=rt.settings.cloud_init_inline_limit,
        storage_class=rt.settings.storage_class,
    )
    vms = VirtualMachines(rt.client)
    created: ObservedVm | None
    try:
        created = await vms.create(plan)
    except k8s.AlreadyExists:
        created = await vms.get(ref.namespace, plan.vm.metadata.name or ref.name)  # not yet in the view
        if created is None or not builder.owned_by(created.vm.metadata, server.server_id):
            return server  # gone meanwhile, or an earlier server's: its watch event wakes us
        LOG.info("Server %s: adopted the existing VirtualMachine", ref)
    except k8s.Invalid as invalid:
        return await _fail(rt, server, "VirtualMachine was rejected by the API server.", invalid.message)
    rt.view.remember(VMS, ref, created)
    return server


async def _fail(rt: Runtime, server: Server, message: str, details: str | None = None) -> Server | None:
    return await writer.apply(rt, server, lambda s: operations.build_failed(s, message, details))
