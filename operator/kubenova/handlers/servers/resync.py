"""The level-triggered safety net: every ``resync_seconds`` one operator-level task looks at each
Server in the view and reconciles only those whose spec and status disagree, or whose status
disagrees with its VM and VMI — what a missed or failed event left undone. The look itself costs
no API call; a Server that is settled costs nothing at all.
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
from kubenova.resources.server import Server
from kubenova.resources.states import TaskState
from kubenova.status import action_records, desired_run_strategy, operations, pauses, rescue_steps
from kubenova.status.observation import PENDING_REBOOT_TASKS, is_paused

LOG = logging.getLogger(__name__)


async def loop(rt: Runtime) -> None:
    """Run until cancelled (at operator shutdown)."""
    await rt.view.ready.wait()  # kopf's indexes are complete once it runs any handler
    while True:
        await asyncio.sleep(rt.settings.resync_seconds)
        try:
            await resync_once(rt)
        except Exception:
            LOG.exception("Resync failed; next round in %ss", rt.settings.resync_seconds)


async def resync_once(rt: Runtime) -> None:
    due = [s for s in rt.view.servers() if not rt.locks.busy(writer.ref_of(s)) and unsettled(rt, s)]
    if due:
        LOG.info(
            "Resync: %d server(s) not settled: %s", len(due), ", ".join(str(writer.ref_of(s)) for s in due)
        )
    await asyncio.gather(*(reconcile.reconcile(rt, writer.ref_of(s)) for s in due))


def unsettled(rt: Runtime, server: Server) -> bool:
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
    observed = observe.transition(rt, server)
    if observed is not None and status.render(server, observed, now=writer.now()) is not None:
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
    seen = observe.observation(rt.view, server)
    task = server.status.task_state
    if task in operations.POWER_TASKS and seen.vm is not None:
        return seen.vm.spec.run_strategy is not desired_run_strategy(server.spec.power_state)
    replaced = server.status.task.replaced_instance_uid if server.status.task is not None else None
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
