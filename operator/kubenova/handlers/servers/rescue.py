"""Rescue and unrescue: a new ``spec.rescue.requestId`` → the server booted from a rescue image
with its root disk attached second (``state: Rescued``), or from its own root disk again
(``state: Unrescued``), the way ``kubevirt.vm_rescue`` reshapes the VM.

1. checks (the row's states; the rescue image, ``spec.rescue.image`` else ``spec.image``, exists),
   then one status write: task ``rescuing``/``unrescuing``, ``status.task`` (request, rescue
   image), ``status.handledRescue``;
2. the VM is halted (``runStrategy: Halted``); once its instance is gone its template is patched
   (rescue: the rescue disk first, the root disk second; unrescue: the rescue disk removed, then
   its DataVolume deleted);
3. the VM is started (``Always``): RESCUED (or ACTIVE) when its instance runs. A rescue disk
   whose import fails gives the VM back its own disks, halted, and ends in ERROR with CDI's
   message.

Every step looks at what the view shows (the VM's shape and annotation, its instance, the
DataVolumes) and at ``status.task``, so an operator restarted at any point goes on where the last
one stopped.
"""

from __future__ import annotations

import functools

from kubenova import status
from kubenova.domain import pending
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import observe, vm_ops, writer
from kubenova.kubevirt import builder, models, vm_rebuild, vm_rescue
from kubenova.kubevirt.client import ObservedVm, VirtualMachines
from kubenova.resources.image import Image
from kubenova.resources.server import Server
from kubenova.resources.server_rescue import RESCUED
from kubenova.resources.states import TaskState
from kubenova.status import rescue_steps

NOT_IMPORTED = "Driver Error: the rescue disk could not be imported."
"""The fault of a failed rescue (Nova's ``InstanceNotRescuable`` reason is "Driver Error: ...")."""


async def step(rt: Runtime, server: Server) -> Server | None:
    """Carry out a pending rescue/unrescue, or go on with the one under way. Caller holds the lock."""
    if server.status.task_state in rescue_steps.RESCUE_TASKS:
        return await _carry_on(rt, server)
    rescue = server.spec.rescue
    if rescue is None or not pending.rescue_pending(server) or rescue_steps.waits(server):
        return server
    image = None
    if rescue.state == RESCUED:
        name, grace = _image_name(server), rt.settings.reference_grace_seconds
        image = await rt.view.wait_for(lambda: rt.view.image(name), grace)
    refused = rescue_steps.refusal(server)
    if refused is None and rescue.state == RESCUED and image is None:
        refused = f"Image {_image_name(server)} could not be found."
    if refused is not None:
        message = refused
        return await writer.apply(rt, server, lambda s: rescue_steps.reject(s, message))
    image_id = image.image_id if image is not None else None
    updated = await writer.apply(rt, server, lambda s: rescue_steps.begin(s, image_id=image_id))
    if updated is not None and updated.status.task_state in rescue_steps.RESCUE_TASKS:
        return await _carry_on(rt, updated)
    return updated


def _image_name(server: Server) -> str:
    """The rescue image: the one asked for, else the server's own (Nova's default)."""
    rescue = server.spec.rescue
    return (rescue.image if rescue is not None else None) or server.spec.image


def _image(rt: Runtime, server: Server) -> Image | None:
    return rt.view.image(_image_name(server))


async def _carry_on(rt: Runtime, server: Server) -> Server | None:
    task, ref = server.status.task, writer.ref_of(server)
    observed = rt.view.vm(ref)
    if task is None or observed is None or not builder.owned_by(observed.vm.metadata, server.server_id):
        return server
    if server.status.task_state is TaskState.RESCUING:
        return await _rescue(rt, server, observed, task.request_id)
    return await _unrescue(rt, server, observed)


async def _rescue(rt: Runtime, server: Server, observed: ObservedVm, request_id: str) -> Server | None:
    if not vm_rescue.rescued_for(observed.vm, request_id):
        if not await vm_ops.halted(rt, server, instance_gone=True):
            return server
        if vm_rescue.has_rescue_disk(observed.vm):  # left by an earlier rescue that failed
            observed = await vm_ops.patch_vm(rt, server, vm_rescue.unrescue_patch(observed.vm))
        if not await _delete_rescue_volumes(rt, server, observed):
            return server  # an earlier rescue disk goes first (its deletion event brings us back)
        image, flavor = _image(rt, server), server.status.flavor
        if image is None:
            message = f"Image {_image_name(server)} could not be found."
            return await writer.apply(rt, server, lambda s: rescue_steps.failed(s, message))
        if flavor is None:
            return server
        volume, template = vm_rescue.rescue_disk(
            server, flavor, image, storage_class=rt.settings.storage_class
        )
        observed = await vm_ops.patch_vm(
            rt, server, vm_rescue.rescue_patch(observed.vm, volume, template, request_id)
        )
    seen = observe.observation(rt.view, server)
    name = vm_rescue.rescue_volume_name(observed.vm.metadata.name or server.metadata.name)
    current = [d for d in seen.data_volumes if not d.metadata.deletion_timestamp]
    error = vm_rebuild.import_error(current, [name])
    if error is not None:
        await _give_back_disks(rt, server, observed)
        return await writer.apply(rt, server, lambda s: rescue_steps.failed(s, NOT_IMPORTED, error))
    await vm_ops.set_run_strategy(rt, server, models.RunStrategy.ALWAYS, observed)
    vmi = seen.vmi
    if vmi is None or vmi.status.phase is not models.VmiPhase.RUNNING or vmi.metadata.deletion_timestamp:
        return server
    addresses = status.address_fields(vmi, rt.settings.network_label)
    return await writer.apply(rt, server, lambda s: rescue_steps.rescued(s, addresses))


async def _give_back_disks(rt: Runtime, server: Server, observed: ObservedVm) -> ObservedVm:
    """The VM's own disks back (no rescue disk, the root disk bootable) and the rescue
    DataVolume deleted; the VM stays halted."""
    if vm_rescue.has_rescue_disk(observed.vm):
        observed = await vm_ops.patch_vm(rt, server, vm_rescue.unrescue_patch(observed.vm))
    observed = await vm_ops.set_run_strategy(rt, server, models.RunStrategy.HALTED, observed) or observed
    await _delete_rescue_volumes(rt, server, observed)
    return observed


async def _delete_rescue_volumes(rt: Runtime, server: Server, observed: ObservedVm) -> bool:
    """Delete the rescue DataVolume (foreground, by uid); whether none is left."""
    ref, vms = writer.ref_of(server), VirtualMachines(rt.client)
    left = vm_rescue.rescue_volumes(
        observed.vm.metadata.name or server.metadata.name,
        list(observe.observation(rt.view, server).data_volumes),
    )
    for volume in left:
        uid = volume.metadata.uid
        if uid and not volume.metadata.deletion_timestamp:
            name = volume.metadata.name or ""
            await rt.view.delete_once(
                uid, functools.partial(vms.delete_data_volume, ref.namespace, name, uid=uid)
            )
    return not left


async def _unrescue(rt: Runtime, server: Server, observed: ObservedVm) -> Server | None:
    if vm_rescue.has_rescue_disk(observed.vm):
        if not await vm_ops.halted(rt, server, instance_gone=True):
            return server
        observed = await vm_ops.patch_vm(rt, server, vm_rescue.unrescue_patch(observed.vm))
    gone = await _delete_rescue_volumes(rt, server, observed)
    await vm_ops.set_run_strategy(rt, server, models.RunStrategy.ALWAYS, observed)
    vmi = observe.observation(rt.view, server).vmi
    if not gone or vmi is None or vmi.status.phase is not models.VmiPhase.RUNNING:
        return server  # the DataVolume's and the instance's events bring the Server back here
    if vmi.metadata.deletion_timestamp:
        return server
    addresses = status.address_fields(vmi, rt.settings.network_label)
    return await writer.apply(rt, server, lambda s: rescue_steps.unrescued(s, addresses))
