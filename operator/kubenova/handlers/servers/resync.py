"""The level-triggered safety net: every ``resync_seconds`` one operator-level task looks at each
Server in the view and reconciles only those whose spec and status disagree, or whose status
disagrees with its VM and VMI — what a missed or failed event left undone. The look itself costs
no API call. A resting Server (no task) found in line with its VM, VMI and DataVolumes is not
observed again while none of the four changed (``Settled``): at thousands of servers, parsing every
VM and VMI at every round was most of the operator's idle CPU.
"""

from __future__ import annotations

import asyncio
import logging

from kubenova import status
from kubenova.domain import names, pending, requests
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import (
    build,
    evacuate,
    live_migration,
    observe,
    reconcile,
    resize,
    shelve,
    soft_delete,
    writer,
)
from kubenova.handlers.view_keys import resource_version
from kubenova.resources.server import Server
from kubenova.resources.states import TaskState
from kubenova.status import action_records, desired_run_strategy, operations, pauses, rescue_steps
from kubenova.status.observation import PENDING_REBOOT_TASKS, is_paused

LOG = logging.getLogger(__name__)


Versions = tuple[int | None, ...]


class Settled:
    """The resting Servers found in line with their VM, VMI and DataVolumes, each with the
    resourceVersions of all four then. Only resting ones: with no task under way, what KubeVirt's
    objects imply for a Server depends on those objects alone, not on the time."""

    def __init__(self) -> None:
        self._versions: dict[str, Versions] = {}  # server uid -> versions when found in line

    def keep_only(self, uids: set[str]) -> None:
        """Forget the Servers that are gone."""
        for uid in [uid for uid in self._versions if uid not in uids]:
            del self._versions[uid]

    def drifted(self, rt: Runtime, server: Server) -> bool:
        """Whether ``server``'s status disagrees with its VM, VMI and DataVolumes."""
        uid = server.metadata.uid or ""
        versions: Versions | None = None
        if server.status.task_state is None:
            versions = (resource_version(server), *rt.view.kubevirt_versions(writer.ref_of(server)))
            if self._versions.get(uid) == versions:
                return False
        observed = observe.transition(rt, server)
        drifted = observed is not None and status.render(server, observed, now=writer.now()) is not None
        if versions is not None and not drifted:
            self._versions[uid] = versions
        else:
            self._versions.pop(uid, None)
        return drifted


async def loop(rt: Runtime) -> None:
    """Run until cancelled (at operator shutdown)."""
    await rt.view.ready.wait()  # kopf's indexes are complete once it runs any handler
    settled = Settled()
    while True:
        await asyncio.sleep(rt.settings.resync_seconds)
        try:
            await resync_once(rt, settled)
        except Exception:
            LOG.exception("Resync failed; next round in %ss", rt.settings.resync_seconds)


async def resync_once(rt: Runtime, settled: Settled) -> None:
    servers = rt.view.servers()
    settled.keep_only({s.metadata.uid or "" for s in servers})
    due = [s for s in servers if not rt.locks.busy(writer.ref_of(s)) and unsettled(rt, s, settled)]
    if due:
        LOG.info(
            "Resync: %d server(s) not settled: %s", len(due), ", ".join(str(writer.ref_of(s)) for s in due)
        )
    await asyncio.gather(*(reconcile.reconcile(rt, writer.ref_of(s)) for s in due))


def unsettled(rt: Runtime, server: Server, settled: Settled) -> bool:
    """Whether reconciling ``server`` would have something to do."""
    finalizer = names.SERVER_FINALIZER
    if server.metadata.deletion_timestamp:
        return finalizer in server.metadata.finalizers
    if (
        finalizer not in server.metadata.finalizers
        or build.needs_placing(server)
        or build.needs_vm(rt, server)
    ):
        return True
    if settled.drifted(rt, server):
        return True
    if operations.begin_power(server) is not None or _vm_behind(rt, server):
        return True
    if pending.reboot_pending(server) and not operations.reboot_waits(server):
        return True
    if resize.due(rt, server) or live_migration.due(server) or rescue_steps.unsettled(server):
        return True
    if shelve.due(rt, server) or evacuate.due(server):
        return True
    if pending.soft_delete_unsettled(server) or soft_delete.vm_behind(rt, server):
        return True
    if soft_delete.reclaim_due(rt, server):
        return True
    if pending.reset_pending(server) or server.status.task_state in PENDING_REBOOT_TASKS:
        return True
    if pauses.begin_pause(server) is not None or pauses.forget_refusal(server) is not None:
        return True
    if _pause_behind(rt, server):
        return True
    return any(r.action in action_records.RECORDED_AT_ONCE for r in requests.unrecorded(server))


def _vm_behind(rt: Runtime, server: Server) -> bool:
    """A power task whose VM patch, or a reboot whose VMI delete, did not happen."""
    task = server.status.task_state
    replaced = server.status.task.replaced_instance_uid if server.status.task is not None else None
    if task not in operations.POWER_TASKS and not replaced:
        return False  # the common case: nothing to read (and parse) of the VM or VMI
    seen = observe.observation(rt.view, server)
    if task in operations.POWER_TASKS and seen.vm is not None:
        return seen.vm.spec.run_strategy is not desired_run_strategy(server.spec.power_state)
    vmi = seen.vmi
    return (
        bool(replaced)
        and vmi is not None
        and vmi.metadata.uid == replaced
        and not vmi.metadata.deletion_timestamp
    )


def _pause_behind(rt: Runtime, server: Server) -> bool:
    """A pause or unpause whose subresource call did not happen (the VMI is not as asked)."""
    task = server.status.task_state
    if task not in (TaskState.PAUSING, TaskState.UNPAUSING):
        return False
    vmi = observe.observation(rt.view, server).vmi
    return vmi is not None and is_paused(vmi) is not (task is TaskState.PAUSING)
