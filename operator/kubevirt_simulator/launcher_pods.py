"""virt-controller's virt-launcher Pod and the kubelet's part in it: one Pod per placed VMI.

KubeVirt runs every VMI in a virt-launcher Pod (``compute`` container, plus ``guest-console-log``
when the serial console is logged); the kube-scheduler binds it, the kubelet runs it and serves
its logs. The simulator creates the Pod already bound (``spec.nodeName``: it places VMIs itself),
reports it Running as a kubelet would, and deletes it with grace period 0 when the guest is gone
(the kubelet's confirmation of a graceful deletion). Nothing runs in it: the simulator's kubelet
endpoint (``kubelet_api``) answers ``pods/log`` for it.

A Pod someone else deletes gracefully (``deletionTimestamp``: the namespace controller, a user)
gets the kubelet's SIGTERM: virt-launcher asks for a graceful guest shutdown (``vmi_lifecycle``
makes the VMI Succeeded), then, as the kubelet's status manager does once the containers stopped
(``syncPod``/``canBeDeleted``), the Pod is reported terminal and deleted with grace period 0 and a
uid precondition.

Writes per VMI: create + one status update (+ one delete when the VMI shuts down or moves; + one
terminal status when the Pod was deleted gracefully by someone else).
The Pod has no volumes (the VMI's claims are not mounted anywhere, so the PVC protection
controller never waits for it) and no resource requests (placement is the simulator's).
"""

from __future__ import annotations

import logging
from typing import Any

from kubenova.k8s import Informer, Kind, KubeError, NotFound, Transport
from kubenova.k8s import JsonObject as Obj
from kubenova.kubevirt.models import VirtualMachineInstance, VmiPhase
from kubevirt_simulator import kubevirt_events
from kubevirt_simulator.timeutil import rfc3339
from kubevirt_simulator.vmi_facts import is_deleting, is_final
from kubevirt_simulator.vmi_status import launcher_pod_name

log = logging.getLogger(__name__)

POD_RESOURCE = Kind("", "v1", "pods", namespaced=True)
APP_LABEL = "kubevirt.io"
APP_VALUE = "virt-launcher"
LAUNCHER_SELECTOR = f"{APP_LABEL}={APP_VALUE}"
CREATED_BY_LABEL = "kubevirt.io/created-by"
VM_NAME_LABEL = "vm.kubevirt.io/name"
COMPUTE = "compute"
GUEST_CONSOLE_LOG = "guest-console-log"
LAUNCHER_IMAGE = "quay.io/kubevirt/virt-launcher:simulated"
PLACED = (VmiPhase.SCHEDULED, VmiPhase.RUNNING)
GRACE_PADDING_SECONDS = 15
"""KubeVirt's launcher pod grace: the VMI's grace + 15 s (virt-launcher's own) + 15 s (kill after);
``virt-controller/services/template.go`` gracePeriodPaddingSeconds."""
DEFAULT_VMI_GRACE_SECONDS = 30


def is_terminating(pod: Obj) -> bool:
    """Deleted gracefully and not yet gone: the kubelet has sent SIGTERM to its containers. A
    force delete (grace period 0) shows a deletionTimestamp too, for the instant before the API
    server removes the Pod; no kubelet is asked, so that one does not count."""
    meta = pod.get("metadata") or {}
    return bool(meta.get("deletionTimestamp")) and meta.get("deletionGracePeriodSeconds") != 0


def pod_grace_seconds(vmi: VirtualMachineInstance) -> int:
    grace = vmi.spec.termination_grace_period_seconds
    vmi_grace = DEFAULT_VMI_GRACE_SECONDS if grace is None else int(grace)
    return vmi_grace + 2 * GRACE_PADDING_SECONDS


def logs_serial_console(vmi: VirtualMachineInstance) -> bool:
    """``spec.domain.devices.logSerialConsole``; unset follows the cluster-wide
    ``virtualMachineOptions.disableSerialConsoleLog``, which the simulator takes as set (no log)."""
    devices = vmi.spec.domain.devices
    return bool(devices.log_serial_console) and devices.autoattach_serial_console is not False


def containers_of(vmi: VirtualMachineInstance) -> list[str]:
    return [COMPUTE, GUEST_CONSOLE_LOG] if logs_serial_console(vmi) else [COMPUTE]


def pod_manifest(vmi: VirtualMachineInstance, node: str) -> Obj:
    """The virt-launcher Pod of ``vmi`` on ``node`` (KubeVirt's labels and owner reference)."""
    labels = {APP_LABEL: APP_VALUE, CREATED_BY_LABEL: str(vmi.metadata.uid)}
    refs = vmi.metadata.owner_references
    vm_name = next((r.get("name") for r in refs if r.get("kind") == "VirtualMachine"), None)
    if vm_name:
        labels[VM_NAME_LABEL] = str(vm_name)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": launcher_pod_name(vmi, node),
            "namespace": vmi.metadata.namespace,
            "labels": labels,
            "annotations": {"kubevirt.io/domain": vmi.metadata.name},
            "ownerReferences": [
                {
                    "apiVersion": "kubevirt.io/v1",
                    "kind": "VirtualMachineInstance",
                    "name": vmi.metadata.name,
                    "uid": str(vmi.metadata.uid),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "nodeName": node,
            "restartPolicy": "Never",
            "automountServiceAccountToken": False,
            "terminationGracePeriodSeconds": pod_grace_seconds(vmi),
            "tolerations": vmi.spec.tolerations or None,
            "containers": [{"name": name, "image": LAUNCHER_IMAGE} for name in containers_of(vmi)],
        },
    }


def running_status(pod: Obj, at: str) -> dict[str, Any]:
    """What the kubelet reports once the launcher's containers started."""
    names = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
    statuses = [
        {
            "name": name,
            "image": LAUNCHER_IMAGE,
            "imageID": "",
            "ready": True,
            "started": True,
            "restartCount": 0,
            "state": {"running": {"startedAt": at}},
        }
        for name in names
    ]
    conditions = [
        {"type": t, "status": "True", "lastTransitionTime": at}
        for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready")
    ]
    return {"phase": "Running", "startTime": at, "conditions": conditions, "containerStatuses": statuses}


def final_status(pod: Obj, phase: str, at: str) -> dict[str, Any]:
    names = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
    code = 0 if phase == "Succeeded" else 1
    statuses = [
        {
            "name": name,
            "image": LAUNCHER_IMAGE,
            "imageID": "",
            "ready": False,
            "restartCount": 0,
            "state": {"terminated": {"exitCode": code, "finishedAt": at}},
        }
        for name in names
    ]
    return {"phase": phase, "containerStatuses": statuses}


def _owner(pod: Obj) -> Obj:
    """The Pod's VirtualMachineInstance owner reference ({} if none)."""
    refs = (pod.get("metadata") or {}).get("ownerReferences") or []
    return next((r for r in refs if r.get("kind") == "VirtualMachineInstance"), {})


def owner_key(pod: Obj) -> tuple[str, str] | None:
    """The Pod cache's index: (namespace, name of the VMI that owns it); None if no VMI owns it.
    A VMI's Pods are then read without walking every launcher Pod of the cluster."""
    name = _owner(pod).get("name")
    return ((pod.get("metadata") or {}).get("namespace") or "", str(name)) if name else None


class LauncherPods:
    """Keeps each VMI's launcher Pod in line with where and whether the VMI runs."""

    def __init__(self, client: Transport, pods: Informer[Obj]) -> None:
        self._client = client
        self._pods = pods

    def of(self, vmi: VirtualMachineInstance) -> list[Obj]:
        """The launcher Pods of this VMI (created by its uid), from the Pods its name owns."""
        uid = str(vmi.metadata.uid)
        return [
            p
            for p in self._pods.indexed((vmi.metadata.namespace or "", vmi.metadata.name or ""))
            if ((p.get("metadata") or {}).get("labels") or {}).get(CREATED_BY_LABEL) == uid
        ]

    def terminating(self, vmi: VirtualMachineInstance) -> bool:
        """Whether the Pod the VMI runs in is being deleted (gracefully, by someone else)."""
        node = vmi.status.node_name
        if not node:
            return False
        wanted = launcher_pod_name(vmi, node)
        return any(is_terminating(p) for p in self.of(vmi) if (p.get("metadata") or {}).get("name") == wanted)

    def gone(self, vmi: VirtualMachineInstance) -> bool:
        """A Running VMI none of whose launcher Pods exists: force-deleted (grace period 0, so no
        kubelet shut anything down). Its Pod is created while it is Scheduled, before it runs."""
        if vmi.status.phase != VmiPhase.RUNNING or is_deleting(vmi):
            return False
        return not self.of(vmi)

    def sync(self, vmi: VirtualMachineInstance, *, deleting: bool) -> None:
        """Create, report or delete ``vmi``'s launcher Pods to match its phase and node."""
        namespace = vmi.metadata.namespace or ""
        node = vmi.status.node_name
        placed = vmi.status.phase in PLACED and node and not deleting
        wanted = launcher_pod_name(vmi, node) if placed and node else None
        existing = self.of(vmi)
        for pod in existing:
            if (pod.get("metadata") or {}).get("name") == wanted:
                continue
            if is_final(vmi) and not deleting:
                self._finish(pod, str(vmi.status.phase))  # the guest stopped; its log stays readable
                if is_terminating(pod):
                    self._delete(pod)  # the kubelet: containers stopped, phase terminal -> gone
            else:
                deleted = self._delete(pod)  # the guest is gone or left this node (migrated)
                if deleted and deleting:
                    self._event(vmi, "SuccessfulDelete", kubevirt_events.POD_DELETED, pod)
        if wanted is None or node is None:
            return
        found = [p for p in existing if (p.get("metadata") or {}).get("name") == wanted]
        if found:
            pod = found[0]
        elif is_deleting(vmi):
            # virt-controller creates no pod for a VMI being deleted (``watch/vmi/lifecycle.go``
            # sync). One placed but without its pod yet (a create refused: a quota, a namespace
            # being terminated) is shut down and let go without it.
            return
        else:
            pod = self._client.create(POD_RESOURCE, pod_manifest(vmi, node), namespace)
            self._pods.record_write(pod)
            if not existing:  # a migration's target pod is the migration controller's, not posted
                self._event(vmi, "SuccessfulCreate", kubevirt_events.POD_CREATED, pod)
            log.info("kubevirt-simulator: created launcher pod %s/%s on %s", namespace, wanted, node)
        if (pod.get("status") or {}).get("phase") != "Running" and not is_terminating(pod):
            self._write_status(pod, running_status(pod, rfc3339()))

    def sweep(self, namespace: str, vmi_name: str, current_uid: str | None) -> None:
        """Delete the launcher pods of VMIs named ``vmi_name`` that are gone (a kubelet ends a pod
        whose deletion the garbage collector started; without one they would stay Terminating)."""
        for pod in self._pods.indexed((namespace, vmi_name)):
            if _owner(pod).get("uid") != current_uid:
                self._delete(pod)

    def _event(self, vmi: VirtualMachineInstance, reason: str, message: str, pod: Obj) -> None:
        """virt-controller's Event on the VMI about its launcher pod."""
        meta = vmi.metadata
        kubevirt_events.post(
            self._client,
            "VirtualMachineInstance",
            {"name": meta.name, "namespace": meta.namespace, "uid": meta.uid},
            reason,
            message.format((pod.get("metadata") or {}).get("name")),
            component=kubevirt_events.VM_CONTROLLER,
        )

    def _finish(self, pod: Obj, phase: str) -> None:
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            return
        final = phase if phase in ("Succeeded", "Failed") else "Failed"
        self._write_status(pod, final_status(pod, final, rfc3339()))

    def _write_status(self, pod: Obj, status: dict[str, Any]) -> None:
        meta = pod.get("metadata") or {}
        body = {"metadata": {"resourceVersion": meta.get("resourceVersion")}, "status": status}
        updated = self._client.merge_patch(
            POD_RESOURCE, str(meta.get("name")), body, meta.get("namespace"), subresource="status"
        )
        self._pods.record_write(updated)

    def _delete(self, pod: Obj) -> bool:
        meta = pod.get("metadata") or {}
        try:
            self._client.delete(
                POD_RESOURCE,
                str(meta.get("name")),
                meta.get("namespace"),
                uid=meta.get("uid"),
                grace_period_seconds=0,
            )
        except NotFound:
            return False
        except KubeError as exc:
            log.warning("kubevirt-simulator: deleting launcher pod %s failed: %s", meta.get("name"), exc)
            raise
        log.info("kubevirt-simulator: deleted launcher pod %s/%s", meta.get("namespace"), meta.get("name"))
        return True
