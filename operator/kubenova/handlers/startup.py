"""kopf's own settings for kubenova, and start-up/shutdown work.

- Progress and the last handled spec live in annotations under ``kopf.kubenova.io``, never in
  ``status``: the Server status has a fixed, Nova-shaped schema that only kubenova writes.
- The finalizer is ours (``compute.kubenova.io/server`` by default).
- kopf's own log lines become Events only from WARNING up; kubenova posts its own Events for
  every state change, so `kubectl describe server` is not flooded with "Handler succeeded".
- Standalone: one operator replica (the Deployment uses strategy Recreate); no peering objects.
"""

from __future__ import annotations

import logging
from typing import Any

import kopf

from kubenova import k8s
from kubenova.handlers import aggregates, runtime

KOPF_PREFIX = "kopf.kubenova.io"


@kopf.on.startup()
async def configure(settings: kopf.OperatorSettings, memo: kopf.Memo, logger: kopf.Logger, **_: Any) -> None:
    rt = runtime.of(memo)
    settings.persistence.finalizer = rt.settings.finalizer
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=KOPF_PREFIX)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix=KOPF_PREFIX,
        key="last-handled-configuration",
        # No handler reacts to these; leaving them out keeps the annotation small (user data can
        # be 64 KiB) and spares a write for every bookkeeping annotation kubenova sets.
        ignored_fields=["spec.userData", "metadata.annotations"],
    )
    settings.posting.level = logging.WARNING
    settings.posting.reporting_component = "kubenova-operator"
    settings.peering.standalone = True
    settings.peering.mandatory = False
    # Long-lived watches, re-established before load balancers drop idle connections.
    settings.watching.server_timeout = 270
    settings.watching.client_timeout = 300
    settings.watching.connect_timeout = 30
    settings.networking.request_timeout = 60
    try:
        await aggregates.reconcile(rt)
    except k8s.KubeError as error:  # e.g. CRDs not installed yet: the watches will catch up
        logger.warning("Initial aggregate reconcile failed: %s", error)
    logger.info("kubenova operator configured: finalizer %s", rt.settings.finalizer)


@kopf.on.cleanup()
async def close(memo: kopf.Memo, **_: Any) -> None:
    runtime.of(memo).client.close()
