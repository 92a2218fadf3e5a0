"""CDI → Server: every change of a DataVolume labelled with a Server's name (virt-controller
copies the label from the VM's ``dataVolumeTemplates``) reconciles that Server, so a build shows
the root disk's import progress and fails when the import does."""

from __future__ import annotations

from typing import Any

import kopf

from kubenova.domain.names import SERVER_LABEL
from kubenova.handlers import runtime
from kubenova.handlers.cluster_view import ServerRef
from kubenova.handlers.indexes import OURS
from kubenova.handlers.servers import reconcile
from kubenova.kubevirt import cdi_models


@kopf.on.event(cdi_models.CDI_GROUP, cdi_models.CDI_VERSION, cdi_models.DATA_VOLUME_PLURAL, labels=OURS)
async def data_volume_changed(type: str | None, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    del type  # a DataVolume going matters to nobody: its Server or VM is going too
    server_name = body.metadata.labels.get(SERVER_LABEL)
    namespace = body.metadata.namespace
    if server_name and namespace:
        await reconcile.reconcile(runtime.of(memo), ServerRef(namespace, server_name))
