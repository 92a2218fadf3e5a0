"""kopf's own settings for kubenova, and start-up/shutdown work.

- kopf writes nothing on kubenova's objects: every handler is level-triggered (``on.event``), so
  kopf keeps no progress or last-handled-configuration annotations, and does not even extract
  the essence it would diff (``NoDiffBase``); its finalizer is a name
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
from collections.abc import Callable, Iterable
from typing import Any

import kopf

from kubenova.domain import names, quotas
from kubenova.handlers import runtime, server_records
from kubenova.handlers.servers import reconcile, resync
from kubenova.handlers.view_keys import ServerRef

KOPF_PREFIX = "kopf.kubenova.io"
KOPF_FINALIZER = f"{KOPF_PREFIX}/unused"
"""kopf's finalizer setting: a name on no object, so kopf's finalizer logic never touches ours."""


class NoDiffBase(kopf.DiffBaseStorage):
    """kopf's "last handled configuration", for an operator that never reads it.

    For every event of every watched object kopf extracts the object's essence (a deep copy of its
    body without status and most metadata), copies it again, and diffs it against the stored one,
    to tell ``on.create``/``on.update``/``on.field`` handlers what changed. This operator has none:
    every handler is an event handler or an index, level-triggered on the whole object. The copies
    were 6% of the operator's CPU in a profile during a fill. So the essence is empty, and nothing
    is stored (a handler that needed it would fail here at once, not act on an empty diff)."""

    def build(self, *, body: kopf.Body, extra_fields: Iterable[Any] | None = None) -> kopf.BodyEssence:
        return {}

    def fetch(self, *, body: kopf.Body) -> kopf.BodyEssence | None:
        return None

    def store(self, *, body: kopf.Body, patch: kopf.Patch, essence: kopf.BodyEssence) -> None:
        raise NotImplementedError("kubenova registers no change-detecting kopf handlers")


@kopf.on.startup()
async def configure(
    settings: kopf.OperatorSettings, memo: kopf.Memo, logger: kopf.Logger, **kwargs: Any
) -> None:
    rt = runtime.of(memo)
    settings.persistence.finalizer = KOPF_FINALIZER
    # Never used (no on.create/update/delete/resume handlers); annotations, never status, if ever.
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=KOPF_PREFIX)
    settings.persistence.diffbase_storage = NoDiffBase()
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
