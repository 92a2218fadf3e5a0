"""virt-controller's live update of scheduling constraints, as a KubeVirt configured with
``vmRolloutStrategy: LiveUpdate`` (KubeVirt's default is Stage): a change of the VM template's
``nodeSelector`` is copied to the running VMI's spec. Nothing moves by itself: the new selector
applies to the VMI's next placement, i.e. its next live migration (the target must match it);
the VMI keeps running where it is. Affinity and tolerations are not propagated by the simulator.
"""

from __future__ import annotations

import logging

from kubenova.k8s import Informer, Transport
from kubenova.k8s import JsonObject as Obj
from kubevirt_simulator.crds import VMI_RESOURCE

log = logging.getLogger(__name__)


def node_selector_patch(vm_obj: Obj, vmi_obj: Obj) -> dict[str, str | None] | None:
    """The merge patch of the VMI's ``spec.nodeSelector`` that makes it the template's, or None."""
    template = ((vm_obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    wanted: dict[str, str] = dict(template.get("nodeSelector") or {})
    current: dict[str, str] = dict((vmi_obj.get("spec") or {}).get("nodeSelector") or {})
    if wanted == current:
        return None
    patch: dict[str, str | None] = {key: None for key in current if key not in wanted}
    patch.update(wanted)
    return patch


def propagate_node_selector(client: Transport, vm_obj: Obj, vmi_obj: Obj, cache: Informer[Obj]) -> None:
    """Copy the VM template's nodeSelector to a VMI that is not being deleted."""
    meta = vmi_obj.get("metadata") or {}
    if meta.get("deletionTimestamp"):
        return
    patch = node_selector_patch(vm_obj, vmi_obj)
    if patch is None:
        return
    body = {
        "metadata": {"resourceVersion": str(meta.get("resourceVersion", ""))},
        "spec": {"nodeSelector": patch},
    }
    updated = client.merge_patch(VMI_RESOURCE, meta.get("name", ""), body, meta.get("namespace"))
    cache.record_write(updated)
    log.info(
        "kubevirt-simulator: VMI %s/%s nodeSelector live-updated to %s",
        meta.get("namespace"),
        meta.get("name"),
        (updated.get("spec") or {}).get("nodeSelector"),
    )
