"""kopf's own settings for kubenova, and start-up/shutdown work.

- kopf writes nothing on kubenova's objects: every handler is level-triggered (``on.event``), so
  kopf keeps no progress or last-handled-configuration annotations; its finalizer is a name
  nobody sets, so kopf never adds or removes one (the operator manages its own finalizer on
  Servers, ``compute.kubenova.io/server``); and it posts no Events (kubenova posts its own,
  ``kubenova.events``).
- The indexes kopf hands to this startup handler are the live ones: the cluster view binds them.
- The resync safety net is one operator-level task (``servers.resync``); expired deleted-server
  records are removed by another (``server_records``).
- Standalone: one operator replica (the Deployment uses strategy Recreate); no peering objects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import kopf

from kubenova.domain import names, quotas
from kubenova.handlers import runtime, server_records
from kubenova.handlers.servers import reconcile, resync
from kubenova.handlers.view_keys import ServerRef

KOPF_PREFIX = "kopf.kubenova.io"
KOPF_FINALIZER = f"{KOPF_PREFIX}/unused"
"""kopf's finalizer setting: a name on no object, so kopf's finalizer logic never touches ours."""


@kopf.on.startup()
async def configure(
    settings: kopf.OperatorSettings, memo: kopf.Memo, logger: kopf.Logger, **kwargs: Any
) -> None:
    rt = runtime.of(memo)
    settings.persistence.finalizer = KOPF_FINALIZER
    # Never used (no on.create/update/delete/resume handlers); annotations, never status, if ever.
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=KOPF_PREFIX)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(prefix=KOPF_PREFIX)
    settings.posting.enabled = False
    settings.posting.loggers = False
    settings.peering.standalone = True
    settings.peering.mandatory = False
    # Long-lived watches, re-established before load balancers drop idle connections.
    settings.watching.server_timeout = 270
    settings.watching.client_timeout = 300
    settings.watching.connect_timeout = 30
    settings.networking.request_timeout = 60
    rt.view.bind(kwargs)
    if rt.quotas is not None:  # before the first Server is placed (handlers wait otherwise)
        rt.quotas.start()
        if not await asyncio.to_thread(rt.quotas.wait_synced, 30.0):
            logger.error("quota limits not readable yet (ConfigMap %s, project Namespaces)", quotas.CONFIGMAP)
    rt.build_slots.on_free = _reconciler(rt)
    rt.spawn(resync.loop(rt))
    rt.spawn(server_records.loop(rt))
    logger.info("kubenova operator configured: finalizer %s", names.SERVER_FINALIZER)


def _reconciler(rt: runtime.Runtime) -> Callable[[list[ServerRef]], None]:
    """Reconcile each of the given Servers in the background (builds whose slot came free)."""

    def wake(refs: list[ServerRef]) -> None:
        for ref in refs:
            rt.spawn(reconcile.reconcile(rt, ref))

    return wake


@kopf.on.cleanup()
async def close(memo: kopf.Memo, **_: Any) -> None:
    rt = runtime.of(memo)
    if rt.quotas is not None:
        rt.quotas.stop()
    for task in list(rt.background):
        task.cancel()
    await rt.events.drain()
    rt.client.close()
