"""KubeVirt → Server: every change of a VirtualMachine or VMI labelled with a Server's name
re-observes that Server (``servers.observe``). Only the label matters, so this works the same
for real KubeVirt and for the simulator."""

from __future__ import annotations

from typing import Any

import kopf

from kubenova.handlers import runtime
from kubenova.handlers.runtime import ServerRef
from kubenova.handlers.servers import observe
from kubenova.kubevirt import models
from kubenova.kubevirt.builder import SERVER_LABEL

OURS = {SERVER_LABEL: kopf.PRESENT}


@kopf.on.event(models.GROUP, models.VERSION, models.VIRTUAL_MACHINE_INSTANCE.plural, labels=OURS)
async def instance_changed(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    await _reobserve(body, memo)


@kopf.on.event(models.GROUP, models.VERSION, models.VIRTUAL_MACHINE.plural, labels=OURS)
async def machine_changed(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    await _reobserve(body, memo)


async def _reobserve(body: kopf.Body, memo: kopf.Memo) -> None:
    server_name = body.metadata.labels.get(SERVER_LABEL)
    namespace = body.metadata.namespace
    if not server_name or not namespace:
        return
    await observe.reconcile(runtime.of(memo), ServerRef(namespace, server_name))
