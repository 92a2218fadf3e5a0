"""Deleted-server records (``ServerRecord``): the operator writes one when it finishes deleting a
Server (``servers.delete``) and deletes it when the retention period
(``KUBENOVA_DELETED_SERVER_RETENTION_SECONDS``) is over.

Level-triggered: kopf's watch of the records (a full listing at start, then events) keeps
``Runtime.records`` (each record's terminated time), and one operator-level task looks at it
every resync period (sooner when the retention is shorter) and deletes the expired records,
conditional on their uid. Nothing is remembered across restarts but what the records hold.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import kopf

from kubenova import k8s
from kubenova.domain.server_records import parse_time
from kubenova.handlers import runtime
from kubenova.handlers.runtime import Runtime
from kubenova.resources.base import GROUP, VERSION

LOG = logging.getLogger(__name__)
MIN_PERIOD_SECONDS = 1.0


@kopf.on.event(GROUP, VERSION, "serverrecords")
async def record_changed(type: str | None, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    rt = runtime.of(memo)
    key = (body.metadata.namespace or "", body.metadata.name or "")
    if type == "DELETED":
        rt.records.pop(key, None)
        return
    terminated = (body.get("spec") or {}).get("terminatedAt")
    if isinstance(terminated, str):
        rt.records[key] = (body.metadata.uid or "", terminated)


def period(rt: Runtime) -> float:
    """How often expired records are looked for."""
    retention = rt.settings.deleted_server_retention_seconds
    return max(MIN_PERIOD_SECONDS, min(rt.settings.resync_seconds, retention / 2 or MIN_PERIOD_SECONDS))


def expired(rt: Runtime, now: datetime) -> list[tuple[str, str, str]]:
    """(namespace, name, uid) of the records whose retention is over at ``now``."""
    limit = timedelta(seconds=rt.settings.deleted_server_retention_seconds)
    due = []
    for (namespace, name), (uid, terminated) in rt.records.items():
        try:
            if parse_time(terminated) + limit <= now:
                due.append((namespace, name, uid))
        except ValueError:
            LOG.warning("ServerRecord %s/%s: unreadable terminatedAt %r", namespace, name, terminated)
    return due


async def expire_once(rt: Runtime) -> None:
    for namespace, name, uid in expired(rt, datetime.now(UTC)):
        try:
            await rt.client.delete(k8s.SERVER_RECORDS, name, namespace, uid=uid or None)
            LOG.info("ServerRecord %s/%s: retention over, deleted", namespace, name)
        except (k8s.NotFound, k8s.Conflict):
            pass  # gone already, or replaced by another object of that name
        rt.records.pop((namespace, name), None)


async def loop(rt: Runtime) -> None:
    """Run until cancelled (at operator shutdown)."""
    await rt.view.ready.wait()
    while True:
        await asyncio.sleep(period(rt))
        try:
            await expire_once(rt)
        except (k8s.KubeError, OSError) as error:
            LOG.warning("Deleting expired ServerRecords failed: %s; next round in %ss", error, period(rt))
