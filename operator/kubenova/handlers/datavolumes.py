"""CDI → Server: every change of a DataVolume labelled with a Server's name (virt-controller
copies the label from the VM's ``dataVolumeTemplates``) reconciles that Server, so a build shows
the root disk's import progress and fails when the import does."""

from __future__ import annotations

from typing import Any

import kopf

from kubenova.handlers import runtime
from kubenova.handlers.indexes import OURS, volume_ref
from kubenova.handlers.servers import reconcile
from kubenova.kubevirt import cdi_models


@kopf.on.event(cdi_models.CDI_GROUP, cdi_models.CDI_VERSION, cdi_models.DATA_VOLUME_PLURAL, labels=OURS)
async def data_volume_changed(type: str | None, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    del type  # a DataVolume going matters to nobody: its Server or VM is going too
    ref = volume_ref(body.metadata.namespace or "", dict(body.metadata.labels))
    if ref.name and ref.namespace:
        await reconcile.reconcile(runtime.of(memo), ref)
