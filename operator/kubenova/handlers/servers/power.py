"""Stop and start: ``spec.powerState`` → task powering-off/on → VM ``runStrategy`` Halted/Always.

The Server's status moves to the power task first (persisted, with the action record); then the
VM is patched. Completion (SHUTOFF when the VMI is gone, ACTIVE when it runs) is observed by
``observe``. The VM is patched only when the Server is building or in a power task: stopping a
VM in the middle of a reboot would leave the reboot waiting forever, so such a change waits
(kopf retries the handler; the resync catches it too).
"""

from __future__ import annotations

from typing import Any

import kopf

from kubenova.handlers import runtime
from kubenova.handlers.runtime import Runtime, ServerRef
from kubenova.handlers.servers import requests, transitions, writer
from kubenova.kubevirt import builder
from kubenova.kubevirt.client import VirtualMachines
from kubenova.resources.base import GROUP, VERSION
from kubenova.resources.server import DesiredPowerState, Server
from kubenova.resources.states import TaskState, VmState
from kubenova.status import desired_run_strategy

_POWER_TASKS = frozenset({TaskState.POWERING_OFF.value, TaskState.POWERING_ON.value})


@kopf.on.update(GROUP, VERSION, "servers", field="spec.powerState")
async def power_state_changed(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    rt = runtime.of(memo)
    await reconcile(rt, ServerRef.of(body))


async def reconcile(rt: Runtime, ref: ServerRef) -> None:
    async with rt.locks.hold(ref):
        await reconcile_locked(rt, ref)


async def reconcile_locked(rt: Runtime, ref: ServerRef) -> None:
    """Move the Server toward ``spec.powerState``. Caller holds the Server's lock."""
    server = await writer.read(rt, ref)
    if server is None or server.metadata.deletion_timestamp or server.status.host is None:
        return
    server = await writer.apply(
        rt, ref, lambda s: transitions.begin_power(s, requests.request_id(s)), current=server
    )
    if server is None:
        return
    if not _may_patch_vm(server):
        if needs_power_change(server):
            raise kopf.TemporaryError(
                f"Server is busy ({server.status.task_state}); power change waits", delay=3
            )
        return
    vms = VirtualMachines(rt.client)
    namespace, name = server.metadata.namespace or "", server.status.vm_name or server.metadata.name
    observed = await vms.get(namespace, name)
    if observed is None or not builder.owned_by(observed.vm.metadata, server.server_id):
        return
    wanted = desired_run_strategy(server.spec.power_state)
    if observed.vm.spec.run_strategy != wanted or observed.vm.spec.running is not None:
        await vms.set_run_strategy(namespace, name, wanted)


def needs_power_change(server: Server) -> bool:
    """Whether the Server's power does not (yet) match ``spec.powerState``."""
    vm_state, task = server.status.vm_state, server.status.task_state
    if server.spec.power_state is DesiredPowerState.STOPPED:
        return vm_state == VmState.ACTIVE or task == TaskState.POWERING_ON
    return vm_state == VmState.STOPPED or task == TaskState.POWERING_OFF


def _may_patch_vm(server: Server) -> bool:
    task = server.status.task_state
    if server.status.vm_state == VmState.BUILDING:
        return True
    if task in _POWER_TASKS:
        return True
    return task is None and server.status.vm_state in (VmState.ACTIVE, VmState.STOPPED)
