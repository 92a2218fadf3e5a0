"""Rebuild: a new ``spec.rebuild.requestId`` → the root disk re-created from ``spec.image`` on the
same host, the way KubeVirt users rebuild a VM (``kubevirt.vm_rebuild``).

1. checks (the row's states, the image exists and fits the flavor), then one status write: task
   ``rebuilding`` with ``status.task`` (request, image, uids of the DataVolumes to replace);
2. the VM is halted (``runStrategy: Halted``); when its instance is gone, task
   ``rebuild_block_device_mapping``;
3. the VM's disk templates, cloud-init and hostname are patched for the new image (marked with
   the request id), the recorded DataVolumes deleted (foreground, by uid); when virt-controller
   has created new ones from the templates, task ``rebuild_spawning``;
4. the VM is started again (``Always``) unless the server was stopped; ACTIVE when its instance
   runs (STOPPED when the new disks are filled, for a stopped server); a failed import → ERROR.

Every step looks at what the view shows and what ``status.task`` recorded, so a restarted operator
continues where the last one stopped. A new image is checked against the server's host as Nova
does (CVE-2017-16239): the scheduler's filters that run on rebuild (ImagePropertiesFilter,
IsolatedHostsFilter, AggregateImagePropertiesIsolation, those enabled) on that host alone, before
step 1, claiming nothing; a refusal leaves the server in ERROR with the NoValidHost fault naming
the filter, and nothing else changed. The same image is not re-scheduled.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools

from kubenova import k8s, status
from kubenova.domain import flavors, guest_shape, migration_rules, pending
from kubenova.handlers.cluster_view import VMS
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import observe, references, scheduling, vm_ops, writer
from kubenova.kubevirt import builder, models, vm_rebuild
from kubenova.kubevirt.client import ObservedVm, VirtualMachines
from kubenova.resources.image import Image
from kubenova.resources.server import Server
from kubenova.resources.states import TaskState
from kubenova.scheduler.errors import NoValidHost
from kubenova.status import rebuild_steps


async def step(rt: Runtime, server: Server) -> Server | None:
    """Carry out a pending rebuild, or go on with the one under way. Caller holds the lock."""
    if migration_rules.evacuating(server):
        return server  # an evacuation (task rebuilding too): the evacuate step's
    if server.status.task_state in rebuild_steps.REBUILD_TASKS:
        return await _carry_on(rt, server)
    if not pending.rebuild_pending(server) or rebuild_steps.waits(server):
        return server
    name = server.spec.image
    await rt.view.wait_for(lambda: rt.view.image(name), rt.settings.reference_grace_seconds)
    refused = rebuild_steps.refusal(server) or _image_refusal(rt, server)
    if refused is not None:
        return await writer.apply(rt, server, lambda s: rebuild_steps.reject(s, refused))
    image = references.image(rt.view, server)
    unfit = await _host_refusal(rt, server, image)
    if unfit is not None:
        return await writer.apply(
            rt, server, lambda s: rebuild_steps.unscheduled(s, unfit.message, unfit.details)
        )
    rebuild = server.spec.rebuild
    preserve = rebuild.preserve_ephemeral if rebuild is not None else False
    seen = observe.observation(rt.view, server)
    replaced = vm_rebuild.replaced_volumes(
        server.metadata.name, list(seen.data_volumes), preserve_ephemeral=preserve
    )
    uids = [v.metadata.uid for v in replaced if v.metadata.uid]

    def decide(s: Server) -> status.Transition | None:
        return rebuild_steps.begin(s, image_id=image.image_id, replaced_volume_uids=uids)

    updated = await writer.apply(rt, server, decide)
    if updated is not None and updated.status.task_state in rebuild_steps.REBUILD_TASKS:
        return await _carry_on(rt, updated)
    return updated


def _image_refusal(rt: Runtime, server: Server) -> str | None:
    """Nova's API checks of the new image: it exists, and it fits the server's flavor."""
    try:
        image = references.image(rt.view, server)
        references.keypair(rt.view, server)
    except references.MissingReference as missing:
        return str(missing)
    flavor = server.status.flavor
    if flavor is None:
        return None
    return flavors.image_fit_error(flavor, image) or flavors.root_disk_error(flavor, image)


async def _host_refusal(rt: Runtime, server: Server, image: Image) -> NoValidHost | None:
    """A new image re-runs the image's filters on the server's host (Nova's rebuild check)."""
    flavor, host = server.status.flavor, server.status.host
    if flavor is None or host is None or image.image_id == server.status.image_id:
        return None
    spec = dataclasses.replace(scheduling.request_spec(server, flavor, image), forced_host=host)
    try:
        await rt.ledger.validate_host(spec, rt.view)
    except NoValidHost as error:
        return error
    return None


async def _carry_on(rt: Runtime, server: Server) -> Server | None:
    task, ref = server.status.task, writer.ref_of(server)
    observed = rt.view.vm(ref)
    if task is None or observed is None or not builder.owned_by(observed.vm.metadata, server.server_id):
        return server
    current: Server | None = server
    if server.status.task_state is TaskState.REBUILDING:
        current = await _halt(rt, server, observed)
    if current is not None and current.status.task_state is TaskState.REBUILD_BLOCK_DEVICE_MAPPING:
        current = await _replace_disks(rt, current, rt.view.vm(ref) or observed)
    if current is not None and current.status.task_state is TaskState.REBUILD_SPAWNING:
        current = await _spawn(rt, current, rt.view.vm(ref) or observed)
    return current


async def _halt(rt: Runtime, server: Server, observed: ObservedVm) -> Server | None:
    await vm_ops.set_run_strategy(rt, server, models.RunStrategy.HALTED, observed)
    if observe.observation(rt.view, server).vmi is not None:
        return server  # going; the VMI's deletion event brings the Server back here
    return await writer.apply(rt, server, rebuild_steps.disks_next)


async def _replace_disks(rt: Runtime, server: Server, observed: ObservedVm) -> Server | None:
    task, rebuild = server.status.task, server.spec.rebuild
    if task is None:
        return server
    ref, vms = writer.ref_of(server), VirtualMachines(rt.client)
    name = server.status.vm_name or ref.name
    if not vm_rebuild.vm_patched(observed.vm, task.request_id):
        try:
            image = references.image(rt.view, server)
            keypair = references.keypair(rt.view, server)
        except references.MissingReference as missing:
            message = str(missing)
            return await writer.apply(rt, server, lambda s: rebuild_steps.failed(s, message))
        if server.status.flavor is None or server.status.host is None:
            return server
        flavor = server.status.flavor
        refused = guest_shape.refusal(flavor.vcpus, flavor.extra_specs, image.spec.properties)
        if refused is not None:
            return await writer.apply(rt, server, lambda s: rebuild_steps.failed(s, refused))
        plan = builder.build(
            server=server,
            flavor=server.status.flavor,
            image=image,
            keypair=keypair,
            host=server.status.host,
            inline_limit=rt.settings.cloud_init_inline_limit,
            storage_class=rt.settings.storage_class,
            hostname=rebuild.hostname if rebuild is not None else None,
        )
        if plan.secret is not None:
            with contextlib.suppress(k8s.AlreadyExists):
                await rt.client.create(k8s.SECRETS, plan.secret, ref.namespace)
        observed = await vms.patch(ref.namespace, name, vm_rebuild.vm_patch(plan.vm, task.request_id))
        rt.view.remember(VMS, ref, observed)
    volumes = list(observe.observation(rt.view, server).data_volumes)
    for volume in volumes:
        uid = volume.metadata.uid
        if uid in (task.replaced_volume_uids or []) and not volume.metadata.deletion_timestamp and uid:
            await rt.view.delete_once(
                uid,
                functools.partial(vms.delete_data_volume, ref.namespace, volume.metadata.name or "", uid=uid),
            )
    templates = [t.metadata.name or "" for t in observed.vm.spec.data_volume_templates]
    preserve = rebuild.preserve_ephemeral if rebuild is not None else False
    if not vm_rebuild.replacements_ready(
        name, volumes, task.replaced_volume_uids or [], preserve_ephemeral=preserve, templates=templates
    ):
        return server  # the DataVolume events bring the Server back here
    return await writer.apply(rt, server, rebuild_steps.spawning)


async def _spawn(rt: Runtime, server: Server, observed: ObservedVm) -> Server | None:
    task = server.status.task
    if task is None:
        return server
    seen = observe.observation(rt.view, server)
    templates = [t.metadata.name or "" for t in observed.vm.spec.data_volume_templates]
    error = vm_rebuild.import_error(list(seen.data_volumes), templates)
    if error is not None:
        return await writer.apply(rt, server, lambda s: rebuild_steps.failed(s, "DataVolumeError", error))
    if not task.start_after:
        if not vm_rebuild.imported(list(seen.data_volumes), templates):
            return server
        return await writer.apply(rt, server, lambda s: rebuild_steps.rebuilt(s, None))
    await vm_ops.set_run_strategy(rt, server, models.RunStrategy.ALWAYS, observed)
    vmi = seen.vmi
    if vmi is None or vmi.status.phase is not models.VmiPhase.RUNNING or vmi.metadata.deletion_timestamp:
        return server
    addresses = status.address_fields(vmi, rt.settings.network_label)
    return await writer.apply(rt, server, lambda s: rebuild_steps.rebuilt(s, addresses))
