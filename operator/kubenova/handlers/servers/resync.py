"""The level-triggered safety net: every ``resync_seconds`` each Server is compared with its VM
and VMI, and with its own spec (power state, pending reboot), and whatever an event missed is
done. One kopf daemon per Server; it sleeps almost all the time."""

from __future__ import annotations

import logging
from typing import Any

import kopf

from kubenova.handlers import runtime
from kubenova.handlers.runtime import Runtime, ServerRef
from kubenova.handlers.servers import observe, power, reboot, writer
from kubenova.resources.base import GROUP, VERSION

LOG = logging.getLogger(__name__)


@kopf.daemon(GROUP, VERSION, "servers", cancellation_timeout=5.0)
async def resync_server(stopped: kopf.DaemonStopped, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    rt = runtime.of(memo)
    ref = ServerRef.of(body)
    while not stopped:
        await stopped.wait(rt.settings.resync_seconds)
        if stopped:
            break
        try:
            await resync_once(rt, ref)
        except kopf.TemporaryError:
            pass  # busy; next round
        except Exception:
            LOG.exception("Resync of Server %s failed; next round in %ss", ref, rt.settings.resync_seconds)


async def resync_once(rt: Runtime, ref: ServerRef) -> None:
    async with rt.locks.hold(ref):
        server = await writer.read(rt, ref)
        if server is None or server.metadata.deletion_timestamp:
            return
        await observe.reconcile_locked(rt, ref, server)
        if power.needs_power_change(server):
            await power.reconcile_locked(rt, ref)
        if reboot.pending(server):
            await reboot.reconcile_locked(rt, ref)
