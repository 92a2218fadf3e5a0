# Over 300 lines: one state machine (virt-handler's VMI phases), read best in one place.
"""virt-handler (plus the VMI half of virt-controller): walks each VMI through its phases.

Scheduling -> Scheduled -> Running, one step per ``--phase-delay`` (a VMI found Pending, as older
simulators left it, goes on to Scheduling). Scheduling places
the VMI on a Ready managed Node (see ``placement``); when nothing fits it stays Scheduling with a
``PodScheduled=False/Unschedulable`` condition and is retried. Running gets the pool address and
MACs, a Ready condition and LiveMigratable. A VMI on a Node annotated ``fail-vmis=true``, or on a
Node that disappeared, goes to Failed. Deletion is a graceful shutdown: three phase delays later
(at once with ``terminationGracePeriodSeconds: 0``) the VMI is Succeeded and the simulator's
finalizer is released. A launcher Pod deleted gracefully by someone else (the namespace
controller) shuts the guest down the same way: the VMI ends Succeeded and the Pod goes.

Step timing is kept in memory (a restarted simulator simply waits one more delay); everything else
is read back from the API, so a restart neither re-runs finished steps nor changes addresses.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from pydantic import ValidationError

from kubenova.k8s import Informer, Transport
from kubenova.k8s import JsonObject as Obj
from kubenova.kubevirt.models import VirtualMachineInstance, VirtualMachineInstanceMigration, VmiPhase
from kubevirt_simulator import guest_agent, kubevirt_events, node_down, vmi_status
from kubevirt_simulator.capacity import Capacity
from kubevirt_simulator.config import SimulatorConfig
from kubevirt_simulator.crds import VMI_RESOURCE
from kubevirt_simulator.ipam import AddressPoolExhaustedError, IpAllocator
from kubevirt_simulator.launcher_pods import LauncherPods
from kubevirt_simulator.names import FAIL_VMIS_ANNOTATION, NODE_NAME_LABEL, VMI_FINALIZER
from kubevirt_simulator.stepclock import StepClock
from kubevirt_simulator.timeutil import rfc3339
from kubevirt_simulator.vmi_facts import is_deleting, is_final, pod_ip
from kubevirt_simulator.writes import (
    add_finalizer,
    finalizers_of,
    patch_metadata,
    patch_status,
    remove_finalizer,
)

log = logging.getLogger(__name__)

NODE_UNRESPONSIVE = "NodeUnresponsive"
SIMULATED_FAILURE = "SimulatedFailure"
POD_NOT_EXISTS = "PodNotExists"
SHUTDOWN = "Shutdown"
SHUTDOWN_STEPS = 3.0
"""A graceful guest shutdown takes this many phase delays (the VM shows Stopping meanwhile)."""


def fails_vmis(node: Obj) -> bool:
    annotations = (node.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(FAIL_VMIS_ANNOTATION, "")).lower() == "true"


class VmiLifecycle:
    def __init__(
        self,
        client: Transport,
        config: SimulatorConfig,
        *,
        vmis: Informer[Obj],
        nodes: Informer[Obj],
        migrations: Informer[Obj],
        capacity: Capacity,
        ipam: IpAllocator,
        launcher_pods: LauncherPods | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._config = config
        self._vmis = vmis
        self._nodes = nodes
        self._migrations = migrations
        self._capacity = capacity
        self._ipam = ipam
        self._launcher_pods = launcher_pods
        self._steps = StepClock(config.phase_delay, clock)
        self._invalid_logged: set[str] = set()
        self._shutdown_signalled: set[str] = set()

    # -- bookkeeping -------------------------------------------------------------------------
    def restore_addresses(self) -> None:
        """Bind every address found in existing VMI statuses before anything is allocated."""
        for obj in self._vmis.objects():
            meta = obj.get("metadata") or {}
            for iface in (obj.get("status") or {}).get("interfaces") or []:
                address = iface.get("ipAddress")
                if address and not self._ipam.restore(str(meta.get("uid")), address):
                    log.warning(
                        "kubevirt-simulator: VMI %s/%s reports address %s that is outside the pool "
                        "or taken; not restored",
                        meta.get("namespace"),
                        meta.get("name"),
                        address,
                    )
                if address:
                    break

    def forget(self, obj: Obj) -> None:
        """The VMI object is gone: free its address and scheduling reservation."""
        uid = str((obj.get("metadata") or {}).get("uid"))
        released = self._ipam.release(uid)
        self._capacity.forget(uid)
        self._steps.forget(uid)
        self._shutdown_signalled.discard(uid)
        if released:
            log.debug("kubevirt-simulator: released %s from deleted VMI %s", released, uid)

    # -- reconcile ----------------------------------------------------------------------------
    def reconcile(self, namespace: str, name: str) -> float | None:
        obj = self._vmis.get(name, namespace)
        vmi = self._parse(obj) if obj is not None else None
        self._clean_up(namespace, name, obj, vmi)
        if obj is None or vmi is None or self._left_on_dead_node(obj, vmi):
            return None
        uid = str(vmi.metadata.uid)
        obj, vmi = self._sync_pods(obj, vmi)
        if is_deleting(vmi):
            return self._shut_down(obj, vmi, uid)
        if is_final(vmi):
            return None
        if VMI_FINALIZER not in finalizers_of(obj):
            obj = add_finalizer(self._client, VMI_RESOURCE, obj, VMI_FINALIZER, self._vmis)
            vmi = VirtualMachineInstance.model_validate(obj)
        phase = vmi.status.phase
        if phase is None or phase == VmiPhase.UNKNOWN:
            # virt-controller creates the launcher pod in its first sync and writes Scheduling at
            # once (Pending only while it cannot create the pod, e.g. waiting for volumes).
            patch_status(self._client, VMI_RESOURCE, obj, vmi_status.scheduling(vmi, rfc3339()), self._vmis)
            self._steps.entered(uid, VmiPhase.SCHEDULING)
            log.info("kubevirt-simulator: VMI %s/%s Scheduling", namespace, name)
            return self._config.phase_delay
        if phase in (VmiPhase.SCHEDULED, VmiPhase.RUNNING):
            failure = self._node_failure(vmi)
            if failure is not None:
                return self._fail(obj, vmi, *failure)
            if self._launcher_pods is not None and self._launcher_pods.terminating(vmi):
                return self._pod_terminating(obj, vmi, uid)
        if phase == VmiPhase.RUNNING:
            return self._keep_running(obj, vmi, uid)
        remaining = self._steps.remaining(uid, str(phase))
        if remaining > 0:
            return remaining
        return self._step(obj, vmi, uid, phase)

    def _left_on_dead_node(self, obj: Obj, vmi: VirtualMachineInstance) -> bool:
        """A VMI on a Node whose virt-handler is gone (``node_down``): nothing acts on it but
        virt-controller, which marks it Failed once the Node is fenced."""
        node = self._nodes.get(vmi.status.node_name) if vmi.status.node_name else None
        if is_final(vmi) or not node_down.handler_gone(node):
            return False
        verdict = node_down.failure(node)
        if verdict is not None:
            self._fail(obj, vmi, *verdict)
        return True

    def _clean_up(
        self, namespace: str, name: str, obj: Obj | None, vmi: VirtualMachineInstance | None
    ) -> None:
        """Pods of VMIs gone by that name go; a deleted invalid VMI (never run) is let go."""
        if self._launcher_pods is not None:
            self._launcher_pods.sweep(namespace, name, (obj or {}).get("metadata", {}).get("uid"))
        if obj is not None and vmi is None and (obj.get("metadata") or {}).get("deletionTimestamp"):
            remove_finalizer(self._client, VMI_RESOURCE, obj, VMI_FINALIZER, self._vmis)

    def _sync_pods(self, obj: Obj, vmi: VirtualMachineInstance) -> tuple[Obj, VirtualMachineInstance]:
        """The launcher Pods follow the VMI; a Running VMI whose Pod is gone goes Failed, as
        virt-controller sets it (``watch/vmi/lifecycle.go`` updateStatus, IsRunning without a pod;
        its Ready condition: reason PodNotExists, KubeVirt's message)."""
        if self._launcher_pods is None:
            return obj, vmi
        if self._launcher_pods.gone(vmi):
            message = "virt-launcher pod has not yet been scheduled"
            obj = patch_status(
                self._client,
                VMI_RESOURCE,
                obj,
                vmi_status.failed(vmi, POD_NOT_EXISTS, message, rfc3339()),
                self._vmis,
            )
            vmi = VirtualMachineInstance.model_validate(obj)
            log.info(
                "kubevirt-simulator: VMI %s/%s Failed: its launcher pod is gone",
                vmi.metadata.namespace,
                vmi.metadata.name,
            )
        self._launcher_pods.sync(vmi, deleting=is_deleting(vmi) and is_final(vmi))
        return obj, vmi

    def _parse(self, obj: Obj) -> VirtualMachineInstance | None:
        try:
            return VirtualMachineInstance.model_validate(obj)
        except ValidationError as exc:
            meta = obj.get("metadata") or {}
            key = f"{meta.get('namespace')}/{meta.get('name')}@{meta.get('resourceVersion')}"
            if key not in self._invalid_logged:
                self._invalid_logged.add(key)
                log.warning("kubevirt-simulator: VMI %s has an invalid spec, not running it: %s", key, exc)
            return None

    def _step(self, obj: Obj, vmi: VirtualMachineInstance, uid: str, phase: VmiPhase) -> float | None:
        """Leave ``phase`` (its delay has passed) for the next one."""
        if phase == VmiPhase.PENDING:
            patch_status(self._client, VMI_RESOURCE, obj, vmi_status.scheduling(vmi, rfc3339()), self._vmis)
            self._steps.entered(uid, VmiPhase.SCHEDULING)
            return self._config.phase_delay
        if phase == VmiPhase.SCHEDULING:
            return self._schedule(obj, vmi, uid)
        if phase == VmiPhase.SCHEDULED:
            return self._start(obj, vmi, uid)
        return None

    def _node_failure(self, vmi: VirtualMachineInstance) -> tuple[str, str] | None:
        node_name = vmi.status.node_name
        if not node_name:
            return None
        node = self._nodes.get(node_name)
        if node is None:
            return (
                NODE_UNRESPONSIVE,
                f"node {node_name} is gone or no longer managed by the kubevirt-simulator",
            )
        if fails_vmis(node):
            return SIMULATED_FAILURE, (
                f"kubevirt-simulator: failure injected by annotation "
                f"{FAIL_VMIS_ANNOTATION}=true on node {node_name}"
            )
        return None

    def _handler_event(self, obj: Obj, reason: str, message: str, *, warning: bool = False) -> None:
        kubevirt_events.post_handler(self._client, obj, reason, message, warning=warning)

    def _fail(self, obj: Obj, vmi: VirtualMachineInstance, reason: str, message: str) -> float | None:
        obj = patch_status(
            self._client, VMI_RESOURCE, obj, vmi_status.failed(vmi, reason, message, rfc3339()), self._vmis
        )
        self._handler_event(obj, "Stopped", kubevirt_events.VMI_CRASHED, warning=True)
        log.info(
            "kubevirt-simulator: VMI %s/%s Failed (%s): %s",
            vmi.metadata.namespace,
            vmi.metadata.name,
            reason,
            message,
        )
        return None

    def _schedule(self, obj: Obj, vmi: VirtualMachineInstance, uid: str) -> float | None:
        placement = self._capacity.schedule(vmi)
        if placement.node is None:
            patch = vmi_status.unschedulable(vmi, placement.message, rfc3339())
            if patch is not None:
                patch_status(self._client, VMI_RESOURCE, obj, patch, self._vmis)
                log.info(
                    "kubevirt-simulator: VMI %s/%s unschedulable: %s",
                    vmi.metadata.namespace,
                    vmi.metadata.name,
                    placement.message,
                )
            return self._config.unschedulable_retry
        node = placement.node
        if vmi.metadata.labels.get(NODE_NAME_LABEL) != node:
            obj = patch_metadata(
                self._client, VMI_RESOURCE, obj, labels={NODE_NAME_LABEL: node}, cache=self._vmis
            )
            vmi = VirtualMachineInstance.model_validate(obj)
        patch_status(self._client, VMI_RESOURCE, obj, vmi_status.scheduled(vmi, node, rfc3339()), self._vmis)
        self._steps.entered(uid, VmiPhase.SCHEDULED)
        log.info(
            "kubevirt-simulator: VMI %s/%s Scheduled on %s", vmi.metadata.namespace, vmi.metadata.name, node
        )
        return self._config.phase_delay

    def _address(self, vmi: VirtualMachineInstance, uid: str) -> str | None:
        if not vmi_status.needs_pool_address(vmi):
            return None
        recorded = pod_ip(vmi)
        if recorded and self._ipam.restore(uid, recorded):
            return recorded
        return self._ipam.allocate(uid)

    def _start(self, obj: Obj, vmi: VirtualMachineInstance, uid: str) -> float | None:
        try:
            address = self._address(vmi, uid)
        except AddressPoolExhaustedError as exc:
            log.error(
                "kubevirt-simulator: VMI %s/%s cannot start: %s",
                vmi.metadata.namespace,
                vmi.metadata.name,
                exc,
            )
            return self._config.unschedulable_retry
        at = rfc3339()
        running = vmi_status.running(vmi, address, at)
        agent = guest_agent.conditions(
            vmi.model_copy(update={"status": vmi.status.model_copy(update={"conditions": []})}),
            guest_agent.connected_on(self._nodes.get(vmi.status.node_name or "")),
            at,
        )
        if agent is not None:
            others = [c for c in running["conditions"] if c["type"] not in guest_agent.CONDITION_TYPES]
            running["conditions"] = [*others, *agent]
        self._handler_event(obj, "Created", kubevirt_events.VMI_DEFINED)  # the domain, before it runs
        obj = patch_status(self._client, VMI_RESOURCE, obj, running, self._vmis)
        self._handler_event(obj, "Started", kubevirt_events.VMI_STARTED)
        self._steps.entered(uid, VmiPhase.RUNNING)
        log.info(
            "kubevirt-simulator: VMI %s/%s Running on %s with %s",
            vmi.metadata.namespace,
            vmi.metadata.name,
            vmi.status.node_name,
            address or "no pod network",
        )
        return None

    def _keep_running(self, obj: Obj, vmi: VirtualMachineInstance, uid: str) -> float | None:
        if vmi_status.needs_pool_address(vmi) and pod_ip(vmi) is None:
            # The address write was lost (e.g. a crash right after allocating): report it again.
            address = self._ipam.allocate(uid)
            patch_status(
                self._client,
                VMI_RESOURCE,
                obj,
                {"interfaces": vmi_status.interfaces(vmi, address)},
                self._vmis,
            )
            return None
        connected = guest_agent.connected_on(self._nodes.get(vmi.status.node_name or ""))
        agent = guest_agent.conditions(vmi, connected, rfc3339())
        if agent is not None:
            obj = patch_status(self._client, VMI_RESOURCE, obj, {"conditions": agent}, self._vmis)
            vmi = VirtualMachineInstance.model_validate(obj)
        self._abort_orphaned_migration(obj, vmi)
        return None

    def _abort_orphaned_migration(self, obj: Obj, vmi: VirtualMachineInstance) -> None:
        """A migration whose VMIM object was deleted mid-flight is aborted; the VMI stays put."""
        state = vmi.status.migration_state
        if state is None or not state.migration_uid or state.completed or state.failed or state.end_timestamp:
            return
        for candidate in self._migrations.objects():
            if (candidate.get("metadata") or {}).get("uid") == state.migration_uid:
                try:
                    migration = VirtualMachineInstanceMigration.model_validate(candidate)
                except ValidationError:
                    return
                if migration.metadata.deletion_timestamp is None:
                    return
        self._capacity.release_target(state.migration_uid)
        patch_status(
            self._client,
            VMI_RESOURCE,
            obj,
            {
                "migrationState": {
                    "failed": True,
                    "abortStatus": "Succeeded",
                    "endTimestamp": rfc3339(),
                    "failureReason": "migration object deleted, migration aborted",
                }
            },
            self._vmis,
        )
        log.info(
            "kubevirt-simulator: VMI %s/%s migration %s aborted (its object was deleted)",
            vmi.metadata.namespace,
            vmi.metadata.name,
            state.migration_uid,
        )

    def _pod_terminating(self, obj: Obj, vmi: VirtualMachineInstance, uid: str) -> float | None:
        """Its launcher Pod was deleted gracefully: the kubelet's SIGTERM makes virt-launcher ask
        virt-handler for a graceful shutdown (``cmd/virt-launcher`` gracefulShutdownCallback); the
        guest shuts down and virt-handler reports Succeeded (domain Shutoff, reason Shutdown), after
        the same 3 phase delays as a deleted VMI's (at once with ``terminationGracePeriodSeconds: 0``).
        A guest not started yet (Scheduled) has nothing to shut down: Failed, as virt-controller
        sets it once the pod is gone (``watch/vmi/lifecycle.go`` updateStatus)."""
        assert self._launcher_pods is not None
        if vmi.status.phase == VmiPhase.SCHEDULED:
            message = "virt-launcher pod was deleted before the guest started"
            failed = vmi_status.failed(vmi, "PodTerminating", message, rfc3339())
            obj = patch_status(self._client, VMI_RESOURCE, obj, failed, self._vmis)
        else:
            graceful = vmi.spec.termination_grace_period_seconds != 0
            if uid not in self._shutdown_signalled:
                self._shutdown_signalled.add(uid)
                if graceful:
                    self._handler_event(obj, "ShuttingDown", kubevirt_events.VMI_GRACEFUL_SHUTDOWN)
                else:
                    self._handler_event(obj, "Deleted", kubevirt_events.VMI_STOPPING)  # killed
            remaining = self._steps.remaining(uid, SHUTDOWN, SHUTDOWN_STEPS) if graceful else 0.0
            if remaining > 0:
                return remaining
            obj = patch_status(
                self._client, VMI_RESOURCE, obj, vmi_status.shut_down(vmi, rfc3339()), self._vmis
            )
            self._handler_event(obj, "Stopped", kubevirt_events.VMI_SHUT_DOWN)
        log.info(
            "kubevirt-simulator: VMI %s/%s stopped: its launcher pod is being deleted",
            vmi.metadata.namespace,
            vmi.metadata.name,
        )
        # The containers exit: the kubelet reports the Pod terminal and deletes it.
        self._launcher_pods.sync(VirtualMachineInstance.model_validate(obj), deleting=False)
        return None

    def _shut_down(self, obj: Obj, vmi: VirtualMachineInstance, uid: str) -> float | None:
        if not is_final(vmi) and vmi.status.phase in (None, VmiPhase.PENDING):
            # virt-controller: an unprocessed VMI deleted before its launcher pod exists goes
            # Failed. Without this, one deleted before virt-handler's finalizer was added would
            # keep the VM controller's finalizer (released only for a final VMI) forever.
            failed = vmi_status.failed(vmi, "Deleted", "deleted before it was scheduled", rfc3339())
            obj = patch_status(self._client, VMI_RESOURCE, obj, failed, self._vmis)
            log.info(
                "kubevirt-simulator: VMI %s/%s deleted before it was scheduled: Failed",
                vmi.metadata.namespace,
                vmi.metadata.name,
            )
        if VMI_FINALIZER not in finalizers_of(obj):
            return None
        if not is_final(VirtualMachineInstance.model_validate(obj)):
            # Only a guest that was started has anything to shut down gracefully.
            started = vmi.status.phase in (VmiPhase.SCHEDULED, VmiPhase.RUNNING)
            graceful = started and vmi.spec.termination_grace_period_seconds != 0
            if started and uid not in self._shutdown_signalled:
                self._shutdown_signalled.add(uid)
                if graceful:
                    self._handler_event(obj, "ShuttingDown", kubevirt_events.VMI_GRACEFUL_SHUTDOWN)
                else:
                    self._handler_event(obj, "Deleted", kubevirt_events.VMI_STOPPING)  # killed
            remaining = self._steps.remaining(uid, SHUTDOWN, SHUTDOWN_STEPS) if graceful else 0.0
            if remaining > 0:
                return remaining
            if started:
                self._handler_event(obj, "Deleted", kubevirt_events.VMI_SIGNAL_DELETION)  # domain deleted
            obj = patch_status(
                self._client, VMI_RESOURCE, obj, vmi_status.shut_down(vmi, rfc3339()), self._vmis
            )
            if started:
                self._handler_event(obj, "Stopped", kubevirt_events.VMI_SHUT_DOWN)
            log.info("kubevirt-simulator: VMI %s/%s shut down", vmi.metadata.namespace, vmi.metadata.name)
        if self._launcher_pods is not None:
            self._launcher_pods.sync(vmi, deleting=True)  # the guest is gone: so is its pod
        remove_finalizer(self._client, VMI_RESOURCE, obj, VMI_FINALIZER, self._vmis)
        return None
