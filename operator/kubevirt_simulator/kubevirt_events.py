"""The Kubernetes Events KubeVirt posts along a VM's lifecycle, posted by the simulator as KubeVirt does.

KubeVirt's event recorders post best-effort (client-go's broadcaster: a failed post is logged and
dropped), one Event per call. Reasons, messages and sources (component ``virtualmachine-controller``
for virt-controller's VM and VMI controllers, ``virt-handler`` with the node as host) are KubeVirt's;
where each is posted, with the KubeVirt source, is listed in the simulator's README ("What it costs
the apiserver"): pkg/virt-controller/watch/vm/vm.go (startVMI, stopVMI, handleDataVolumes),
pkg/virt-controller/watch/vmi/lifecycle.go (launcher pod created/deleted) and
pkg/virt-handler/vm.go (syncVirtualMachine, recordPhaseChangeEvent, shutdownVMI,
helperVmShutdown, processVmDelete).
"""

from __future__ import annotations

import logging
from typing import Any

from kubenova.k8s import EVENTS, KubeError, Transport
from kubenova.kubevirt.models import API_VERSION
from kubevirt_simulator.timeutil import rfc3339

log = logging.getLogger(__name__)

VM_CONTROLLER = "virtualmachine-controller"
VIRT_HANDLER = "virt-handler"

VMI_CREATED_FOR_VM = "Started the virtual machine by creating the new virtual machine instance {}"
VMI_DELETED_FOR_VM = "Stopped the virtual machine by deleting the virtual machine instance {}"
DATA_VOLUME_CREATED = "Created DataVolume {}"
POD_CREATED = "Created virtual machine pod {}"
POD_DELETED = "Deleted virtual machine pod {}"
VMI_DEFINED = "VirtualMachineInstance defined."
VMI_STARTED = "VirtualMachineInstance started."
VMI_GRACEFUL_SHUTDOWN = "Signaled Graceful Shutdown"
VMI_STOPPING = "VirtualMachineInstance stopping"
VMI_SIGNAL_DELETION = "Signaled Deletion"
VMI_SHUT_DOWN = "The VirtualMachineInstance was shut down."
VMI_CRASHED = "The VirtualMachineInstance crashed."


def event(
    kind: str,
    metadata: dict[str, Any],
    reason: str,
    message: str,
    *,
    component: str,
    host: str | None = None,
    warning: bool = False,
    at: str | None = None,
) -> dict[str, Any]:
    """The core/v1 Event a client-go recorder posts for ``kind`` object with ``metadata``."""
    when = at or rfc3339()
    source = {"component": component, **({"host": host} if host else {})}
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": f"{metadata.get('name')}.", "namespace": metadata.get("namespace")},
        "involvedObject": {
            "apiVersion": API_VERSION,
            "kind": kind,
            "name": metadata.get("name"),
            "namespace": metadata.get("namespace"),
            "uid": metadata.get("uid"),
            "resourceVersion": metadata.get("resourceVersion"),
        },
        "reason": reason,
        "message": message,
        "type": "Warning" if warning else "Normal",
        "source": source,
        "firstTimestamp": when,
        "lastTimestamp": when,
        "count": 1,
        "reportingComponent": component,
        "reportingInstance": host or "",
    }


def post(
    client: Transport,
    kind: str,
    metadata: dict[str, Any],
    reason: str,
    message: str,
    *,
    component: str,
    host: str | None = None,
    warning: bool = False,
) -> None:
    """Post one Event, best-effort as KubeVirt's recorder: a refusal is logged, never raised."""
    body = event(kind, metadata, reason, message, component=component, host=host, warning=warning)
    try:
        client.create(EVENTS, body, str(metadata.get("namespace") or ""))
    except KubeError as exc:
        log.debug(
            "kubevirt-simulator: Event %s on %s %s not posted: %s", reason, kind, metadata.get("name"), exc
        )


def post_handler(
    client: Transport, vmi: dict[str, Any], reason: str, message: str, *, warning: bool = False
) -> None:
    """virt-handler's Event on a VMI (source host: the VMI's node)."""
    node = (vmi.get("status") or {}).get("nodeName")
    post(
        client,
        "VirtualMachineInstance",
        vmi["metadata"],
        reason,
        message,
        component=VIRT_HANDLER,
        host=node,
        warning=warning,
    )
