"""One Server brought one step closer to what its spec asks, from what the view shows.

Level-triggered: kopf's ``on.event`` handlers (this Server's events, and its VM's and VMI's in
``handlers.virtualmachines``) and the resync all call ``reconcile``, which looks at the freshest
copies and does what is due: the deletion, the finalizer, the build, a state reset, the observed
state, the power, pause and reboot intents, and the requests waiting in the inbox. Nothing here
keeps state kopf would have to store on the object (no progress or diffbase annotations), and
nothing is GET.

An error is logged and the Server tried again a little later, backing off while it keeps failing
(kopf does not retry event handlers); the resync is the last safety net.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import kopf
import pydantic

from kubenova import k8s
from kubenova.domain import names
from kubenova.handlers import runtime
from kubenova.handlers.cluster_view import SERVERS
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import (
    admin_password,
    build,
    delete,
    evacuate,
    live_migration,
    migrations,
    observe,
    pause,
    power,
    reboot,
    rebuild,
    rescue,
    reservation,
    reset_state,
    resize,
    shelve,
    snapshot,
    soft_delete,
    writer,
)
from kubenova.handlers.view_keys import ServerRef
from kubenova.resources.base import GROUP, VERSION
from kubenova.resources.server import Server
from kubenova.status import operations

LOG = logging.getLogger(__name__)
RETRY_SECONDS = 2.0


@kopf.on.event(GROUP, VERSION, "servers")
async def server_changed(type: str | None, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    rt = runtime.of(memo)
    rt.view.ready.set()
    ref = ServerRef.of(body)
    if type == "DELETED":
        async with rt.locks.hold(ref):  # after any write of ours still answering, not before
            rt.view.forget(SERVERS, ref, body.metadata.uid)
            # Released at the end of the teardown already; this covers a finalizer removed by hand.
            rt.ledger.release(body.metadata.uid or "")
            rt.view.feed.gone(body.metadata.uid or "", ref)
            rt.recorded.discard(body.metadata.uid or "")
        rt.locks.forget(ref)
        return
    try:
        seen = Server.model_validate(dict(body))
    except pydantic.ValidationError as error:
        LOG.warning("Server %s does not parse; ignored: %s", ref, error)
        return
    await reconcile(rt, ref, seen)


async def reconcile(rt: Runtime, ref: ServerRef, seen: Server | None = None) -> None:
    """Do what is due for the Server ``ref``; errors are logged and retried later."""
    try:
        async with rt.locks.hold(ref):
            server = rt.view.server(ref, seen)
            if server is not None:
                await step(rt, server)
    except (k8s.KubeError, OSError) as error:
        LOG.warning("Server %s: %s; trying again in %ss", ref, error, _retry(rt, ref))
    except Exception:
        LOG.exception("Server %s: reconcile failed; trying again in %ss", ref, _retry(rt, ref))
    else:
        rt.failures.pop(ref, None)


async def step(rt: Runtime, server: Server) -> None:
    """Everything due for ``server``, in order, each on the Server the previous one left."""
    if server.metadata.deletion_timestamp:
        await delete.tear_down(rt, server)
        return
    current: Server | None = server
    if names.SERVER_FINALIZER not in server.metadata.finalizers:
        current = await writer.set_finalizer(rt, server, present=True)
    if current is not None and build.needs_placing(current):
        if not await reservation.complete(rt, current):
            return
        current = await build.place(rt, current)
    elif current is not None and build.needs_vm(rt, current):
        current = await build.spawn(rt, current)
    if current is None or current.metadata.deletion_timestamp or build.needs_placing(current):
        return
    for due in (
        reset_state.step,
        observe.step,
        power.step,
        pause.step,
        reboot.step,
        rebuild.step,
        rescue.step,
        snapshot.step,
        soft_delete.step,
        resize.step,
        shelve.step,
        admin_password.step,
        live_migration.step,
        evacuate.step,
        migrations.step,
    ):
        current = await due(rt, current)
        if current is None:
            return
    await writer.apply(rt, current, operations.record_requests)


def _retry(rt: Runtime, ref: ServerRef) -> float:
    """Reconcile ``ref`` again after a delay that doubles with each failure in a row (at most the
    resync period); returns the delay."""
    failures = rt.failures.get(ref, 0) + 1
    rt.failures[ref] = failures
    delay: float = min(RETRY_SECONDS * 2.0 ** (failures - 1), max(rt.settings.resync_seconds, RETRY_SECONDS))
    if ref in rt.retrying:
        return delay
    rt.retrying.add(ref)

    async def later() -> None:
        await asyncio.sleep(delay)
        rt.retrying.discard(ref)
        await reconcile(rt, ref)

    rt.spawn(later())
    return delay
