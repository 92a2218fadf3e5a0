"""KubeVirt → Server: every change of a VirtualMachine or VMI labelled with a Server's name
reconciles that Server (``servers.reconcile``) from the view, which the event has just updated
(kopf updates its indexes before it runs handlers). Only the label matters, so this works the
same for real KubeVirt and for the simulator."""

from __future__ import annotations

from typing import Any

import kopf

from kubenova.domain.names import SERVER_LABEL
from kubenova.handlers import runtime
from kubenova.handlers.cluster_view import VMIMS, VMIS, VMS
from kubenova.handlers.indexes import OURS
from kubenova.handlers.servers import reconcile
from kubenova.handlers.view_keys import ServerRef
from kubenova.kubevirt import models


@kopf.on.event(models.GROUP, models.VERSION, models.VIRTUAL_MACHINE_INSTANCE.plural, labels=OURS)
async def instance_changed(type: str | None, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    await _reconcile_server(VMIS, type, body, memo)


@kopf.on.event(models.GROUP, models.VERSION, models.VIRTUAL_MACHINE.plural, labels=OURS)
async def machine_changed(type: str | None, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    await _reconcile_server(VMS, type, body, memo)


@kopf.on.event(models.GROUP, models.VERSION, models.VIRTUAL_MACHINE_INSTANCE_MIGRATION.plural, labels=OURS)
async def migration_changed(type: str | None, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    rt = runtime.of(memo)
    server_name = body.metadata.labels.get(SERVER_LABEL)
    if type == "DELETED":
        rt.view.forget(VMIMS, ServerRef.of(body), body.metadata.uid)
    if server_name and body.metadata.namespace:
        await reconcile.reconcile(rt, ServerRef(body.metadata.namespace, server_name))


async def _reconcile_server(index: str, type: str | None, body: kopf.Body, memo: kopf.Memo) -> None:
    rt = runtime.of(memo)
    rt.view.ready.set()
    server_name = body.metadata.labels.get(SERVER_LABEL)
    namespace = body.metadata.namespace
    if not server_name or not namespace:
        return
    ref = ServerRef(namespace, server_name)
    if type == "DELETED":
        async with rt.locks.hold(ref):  # after any write of ours still answering, not before
            rt.view.forget(index, ref, body.metadata.uid)  # our last write of it must not outlive it
            rt.view.deleted(body.metadata.uid or "")
    await reconcile.reconcile(rt, ref)
