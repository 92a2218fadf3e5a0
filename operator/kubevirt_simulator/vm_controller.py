# Over 300 lines: one controller loop (KubeVirt's VM sync: run strategy, VMI creation, status) kept whole.
"""virt-controller's VirtualMachine controller: one VMI per VM when the run strategy says so.

Creates the VMI from the VM template (same name and namespace, controller owner reference,
template labels and annotations, KubeVirt's VMI defaults), deletes it to stop, restarts failed
ones, keeps the VM status (printableStatus, created, ready, conditions, generations, startFailure)
and honours deletion: a VM carries KubeVirt's controller finalizer, shows Terminating, deletes its
VMI explicitly (garbage collection needs kube-controller-manager, which may not run) and lets go
once the VMI is gone. DataVolumes from ``spec.dataVolumeTemplates`` are created first and the VMI
waits for them (``vm_volumes``); they stay across stops and restarts and go with the VM.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from kubenova.k8s import Conflict, Forbidden, Informer, KubeError, NotFound, Transport
from kubenova.k8s import JsonObject as Obj
from kubenova.kubevirt.models import (
    API_VERSION,
    VIRTUAL_MACHINE,
    VIRTUAL_MACHINE_INSTANCE,
    RunStrategy,
    StartFailure,
    VirtualMachine,
    VirtualMachineInstance,
)
from kubevirt_simulator import kubevirt_events, live_update
from kubevirt_simulator import vm_decisions as decisions
from kubevirt_simulator.config import SimulatorConfig
from kubevirt_simulator.crds import VM_RESOURCE, VMI_RESOURCE
from kubevirt_simulator.names import VM_CONTROLLER_FINALIZER, VM_GENERATION_ANNOTATION, VMI_FINALIZER
from kubevirt_simulator.timeutil import now as utcnow
from kubevirt_simulator.vm_decisions import Action, Do
from kubevirt_simulator.vm_volumes import Readiness, VmVolumes
from kubevirt_simulator.vmi_facts import controller_uid, is_deleting, is_final, read_vmi
from kubevirt_simulator.writes import add_finalizer, finalizers_of, patch_status, remove_finalizer

log = logging.getLogger(__name__)

FIRMWARE_UUID_NAMESPACE = uuid.UUID("6a1a24a1-4061-4607-8bf4-a3963d0c5895")
"""KubeVirt derives a VMI's default firmware UUID from its name with this namespace (uuid5)."""


def vmi_manifest(vm_obj: Obj) -> Obj:
    """The VMI virt-controller creates for a VM, with the defaults KubeVirt's webhooks add."""
    meta = vm_obj.get("metadata") or {}
    template = copy.deepcopy((vm_obj.get("spec") or {}).get("template") or {})
    template_meta = template.get("metadata") or {}
    spec: dict[str, Any] = template.get("spec") or {}
    domain = spec.setdefault("domain", {})
    firmware = domain.setdefault("firmware", {})
    if not firmware.get("uuid"):
        firmware["uuid"] = str(uuid.uuid5(FIRMWARE_UUID_NAMESPACE, meta["name"]))
    devices = domain.setdefault("devices", {})
    if (
        not devices.get("interfaces")
        and not spec.get("networks")
        and devices.get("autoattachPodInterface") is not False
    ):
        devices["interfaces"] = [{"name": "default", "bridge": {}}]
        spec["networks"] = [{"name": "default", "pod": {}}]
    disks = devices.setdefault("disks", [])
    named = {d.get("name") for d in disks} | {f.get("name") for f in devices.get("filesystems") or []}
    for volume in spec.get("volumes") or []:
        if volume.get("name") not in named:
            disks.append({"name": volume.get("name")})
    annotations = dict(template_meta.get("annotations") or {})
    annotations[VM_GENERATION_ANNOTATION] = str(meta.get("generation", 1))
    return {
        "apiVersion": API_VERSION,
        "kind": VIRTUAL_MACHINE_INSTANCE.kind,
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "labels": dict(template_meta.get("labels") or {}),
            "annotations": annotations,
            "ownerReferences": [
                {
                    "apiVersion": API_VERSION,
                    "kind": VIRTUAL_MACHINE.kind,
                    "name": meta["name"],
                    "uid": meta["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
            # KubeVirt's VMI mutating webhook adds virt-handler's finalizer at creation (no write).
            "finalizers": [VM_CONTROLLER_FINALIZER, VMI_FINALIZER],
        },
        "spec": spec,
    }


@dataclass(frozen=True)
class Outcome:
    """What one sync did, as far as the VM status is concerned."""

    start_expected: bool = False
    stop_expected: bool = False
    failure: tuple[str, str] | None = None
    requests: list[dict[str, Any]] | None = None
    """A new stateChangeRequests list to write (None: trim finished requests, if any)."""
    retry_after: float | None = None
    """Skip the status write and look again after this many seconds."""
    volumes: Readiness = dataclasses.field(default_factory=Readiness)


class VmController:
    def __init__(
        self,
        client: Transport,
        config: SimulatorConfig,
        vms: Informer[Obj],
        vmis: Informer[Obj],
        volumes: VmVolumes | None = None,
    ) -> None:
        self._client = client
        self._config = config
        self._vms = vms
        self._vmis = vmis
        self._volumes = volumes

    def reconcile(self, namespace: str, name: str) -> float | None:
        vm_obj = self._vms.get(name, namespace)
        vmi_obj = self._vmis.get(name, namespace)
        if vm_obj is None:
            return self._clean_up_orphan(vmi_obj)
        try:
            vm = VirtualMachine.model_validate(vm_obj)
        except ValidationError as exc:
            self._report_invalid(vm_obj, exc)
            return None
        vmi = read_vmi(vmi_obj) if vmi_obj is not None else None
        if vmi is not None and controller_uid(vmi) != vm.metadata.uid:
            log.warning(
                "kubevirt-simulator: VMI %s/%s is controlled by %s, not by VM uid %s; waiting",
                namespace,
                name,
                controller_uid(vmi),
                vm.metadata.uid,
            )
            return 2.0
        if vm.metadata.deletion_timestamp is not None:
            return self._terminate(vm_obj, vm, vmi_obj, vmi)
        if VM_CONTROLLER_FINALIZER not in finalizers_of(vm_obj):
            vm_obj = add_finalizer(self._client, VM_RESOURCE, vm_obj, VM_CONTROLLER_FINALIZER, self._vms)
            vm = VirtualMachine.model_validate(vm_obj)
        if vmi_obj is not None:
            live_update.propagate_node_selector(self._client, vm_obj, vmi_obj, self._vmis)

        volumes = self._volumes.sync(vm_obj, vm) if self._volumes is not None else Readiness()
        if volumes is None:
            return 1.0
        strategy = decisions.run_strategy_of(vm.spec)
        action = decisions.decide(vm, vmi, strategy, utcnow())
        if action.do == Do.START and not volumes.ready:
            action = Action(Do.NOTHING)  # the volume events (or the resync) bring it back
        log.debug(
            "kubevirt-simulator: VM %s/%s rv %s: %s, VMI %s -> %s",
            namespace,
            name,
            vm.metadata.resource_version,
            strategy.value,
            vmi.status.phase if vmi is not None else "none",
            action.do.value,
        )
        outcome = self._act(vm_obj, vm, vmi, strategy, action)
        if outcome.retry_after is not None:
            return outcome.retry_after
        if not volumes.ready or volumes.condition is not None:
            outcome = dataclasses.replace(
                outcome, volumes=volumes, failure=outcome.failure or volumes.failure
            )
        self._write_status(vm_obj, vm, vmi, strategy, outcome)
        if vmi is not None and vmi_obj is not None:
            # The VM status has recorded what the final VMI had to say; let it go.
            self._release_vmi(vmi_obj, vmi)
        if action.do == Do.WAIT:
            return action.delay
        return 5.0 if outcome.failure else None

    def _act(
        self,
        vm_obj: Obj,
        vm: VirtualMachine,
        vmi: VirtualMachineInstance | None,
        strategy: RunStrategy,
        action: Action,
    ) -> Outcome:
        namespace, name = vm.metadata.namespace or "", vm.metadata.name or ""
        try:
            if action.do == Do.START:
                self._vmis.record_write(self._client.create(VMI_RESOURCE, vmi_manifest(vm_obj), namespace))
                kubevirt_events.post(
                    self._client,
                    "VirtualMachine",
                    vm_obj["metadata"],
                    "SuccessfulCreate",
                    kubevirt_events.VMI_CREATED_FOR_VM.format(name),
                    component=kubevirt_events.VM_CONTROLLER,
                )
                log.info(
                    "kubevirt-simulator: VM %s/%s started (runStrategy %s)", namespace, name, strategy.value
                )
                return Outcome(start_expected=True)
            if action.do == Do.STOP and vmi is not None:
                self._delete_vmi(vmi, vm_obj)
                log.info(
                    "kubevirt-simulator: VM %s/%s stopping its VMI (phase %s, runStrategy %s)",
                    namespace,
                    name,
                    vmi.status.phase,
                    strategy.value,
                )
                requests = None
                if action.add_start_request:
                    requests = [*[r.to_api() for r in vm.status.state_change_requests], {"action": "Start"}]
                return Outcome(stop_expected=True, requests=requests)
            if action.do == Do.SWITCH_TO_ALWAYS:
                field = (
                    {"runStrategy": RunStrategy.ALWAYS.value} if vm.spec.run_strategy else {"running": True}
                )
                self._client.merge_patch(
                    VM_RESOURCE,
                    name,
                    {"metadata": {"resourceVersion": vm.metadata.resource_version}, "spec": field},
                    namespace,
                )
                return Outcome(retry_after=0.0)
        except Conflict:
            return Outcome(retry_after=0.2)  # the cache is behind (VMI exists / VM changed)
        except KubeError as exc:
            # A namespace being deleted refuses new VMIs; its VMs are about to go too.
            terminating = isinstance(exc, Forbidden) and "being terminated" in exc.message
            log.log(
                logging.DEBUG if terminating else logging.WARNING,
                "kubevirt-simulator: VM %s/%s sync failed: %s",
                namespace,
                name,
                exc,
            )
            return Outcome(failure=("FailedCreate" if action.do == Do.START else "FailedDelete", str(exc)))
        return Outcome()

    def _delete_vmi(self, vmi: VirtualMachineInstance, vm_obj: Obj | None = None) -> None:
        meta = vmi.metadata
        try:
            self._client.delete(
                VMI_RESOURCE, meta.name or "", meta.namespace, uid=meta.uid, propagation="Background"
            )
        except (NotFound, Conflict):
            return
        if vm_obj is not None:
            kubevirt_events.post(
                self._client,
                "VirtualMachine",
                vm_obj["metadata"],
                "SuccessfulDelete",
                kubevirt_events.VMI_DELETED_FOR_VM.format(meta.uid),
                component=kubevirt_events.VM_CONTROLLER,
            )

    def _write_status(
        self,
        vm_obj: Obj,
        vm: VirtualMachine,
        vmi: VirtualMachineInstance | None,
        strategy: RunStrategy,
        outcome: Outcome,
    ) -> None:
        now = utcnow()
        start_failure: StartFailure | None = decisions.start_failure(
            vm,
            vmi,
            strategy,
            now=now,
            base_backoff=self._config.restart_backoff,
            max_backoff=self._config.restart_backoff_max,
        )
        requests = outcome.requests if outcome.requests is not None else decisions.trimmed_requests(vm, vmi)
        printable = decisions.printable_status(
            vm,
            vmi,
            strategy,
            start_expected=outcome.start_expected,
            stop_expected=outcome.stop_expected,
            failure=start_failure,
        )
        if outcome.volumes.printable is not None and printable in decisions.BEFORE_VOLUMES:
            printable = outcome.volumes.printable
        ready = (
            vmi is not None
            and (c := next((c for c in vmi.status.conditions if c.type == "Ready"), None)) is not None
            and c.status == "True"
        )
        extra = [outcome.volumes.condition] if vmi is None and outcome.volumes.condition else []
        conditions = decisions.conditions(vm, vmi, outcome.failure, now, extra)
        status: dict[str, Any] = {
            "printableStatus": printable.value,
            "created": True if vmi is not None else None,
            "ready": True if ready else None,
            "runStrategy": strategy.value,
            "observedGeneration": vm_obj["metadata"].get("generation"),
            "desiredGeneration": vm_obj["metadata"].get("generation"),
            "startFailure": start_failure.to_api() if start_failure else None,
        }
        if requests is not None:
            status["stateChangeRequests"] = requests or None
        current: dict[str, Any] = vm_obj.get("status") or {}
        changed = any(current.get(k) != v for k, v in status.items()) or decisions.comparable_conditions(
            current.get("conditions") or []
        ) != decisions.comparable_conditions(conditions)
        if not changed:
            return
        status["conditions"] = conditions
        patch_status(self._client, VM_RESOURCE, vm_obj, status, self._vms)

    def _terminate(
        self, vm_obj: Obj, vm: VirtualMachine, vmi_obj: Obj | None, vmi: VirtualMachineInstance | None
    ) -> float | None:
        strategy = decisions.run_strategy_of(vm.spec)
        if vmi is not None and vmi_obj is not None:
            if not is_deleting(vmi):
                self._delete_vmi(vmi, vm_obj)
            self._write_status(vm_obj, vm, vmi, strategy, Outcome(stop_expected=True))
            self._release_vmi(vmi_obj, vmi)
            return None
        self._write_status(vm_obj, vm, None, strategy, Outcome())
        if VM_CONTROLLER_FINALIZER in finalizers_of(vm_obj):
            latest = self._vms.get(vm.metadata.name or "", vm.metadata.namespace) or vm_obj
            remove_finalizer(self._client, VM_RESOURCE, latest, VM_CONTROLLER_FINALIZER, self._vms)
            log.info("kubevirt-simulator: VM %s/%s terminated", vm.metadata.namespace, vm.metadata.name)
        return None

    def _clean_up_orphan(self, vmi_obj: Obj | None) -> float | None:
        """The VM is gone: its VMI goes too (explicitly, in case no garbage collector runs)."""
        if vmi_obj is None:
            return None
        vmi = read_vmi(vmi_obj)
        if controller_uid(vmi) is None or not any(
            r.get("kind") == VIRTUAL_MACHINE.kind for r in vmi.metadata.owner_references
        ):
            return None  # a standalone VMI: not ours to manage
        if not is_deleting(vmi):
            self._delete_vmi(vmi)
            log.info(
                "kubevirt-simulator: deleted VMI %s/%s of a deleted VM",
                vmi.metadata.namespace,
                vmi.metadata.name,
            )
        else:
            self._release_vmi(vmi_obj, vmi)
        return None

    def _release_vmi(self, vmi_obj: Obj, vmi: VirtualMachineInstance) -> None:
        """Remove the VM controller's finalizer from a final VMI (KubeVirt's ``removeVMIFinalizer``).

        For a VMI being deleted this waits until virt-handler's finalizer is gone: the two
        removals are then one after the other, each on the latest resourceVersion, instead of two
        concurrent guarded patches of which one would be answered 409 Conflict.
        """
        finalizers = finalizers_of(vmi_obj)
        if not is_final(vmi) or VM_CONTROLLER_FINALIZER not in finalizers:
            return
        if is_deleting(vmi) and VMI_FINALIZER in finalizers:
            return  # virt-handler's removal comes first; its watch event brings us back
        remove_finalizer(self._client, VMI_RESOURCE, vmi_obj, VM_CONTROLLER_FINALIZER, self._vmis)

    def _report_invalid(self, vm_obj: Obj, exc: ValidationError) -> None:
        errors = exc.errors()
        detail = f"{errors[0].get('loc')}: {errors[0].get('msg')}" if errors else str(exc)
        message = f"kubevirt-simulator: invalid VirtualMachine spec: {detail}"
        status = vm_obj.get("status") or {}
        if any(
            c.get("type") == "Failure" and c.get("message") == message for c in status.get("conditions") or []
        ):
            return
        patch_status(
            self._client,
            VM_RESOURCE,
            vm_obj,
            {
                "conditions": [
                    {
                        "type": "Failure",
                        "status": "True",
                        "reason": "InvalidSpec",
                        "message": message,
                    }
                ]
            },
            self._vms,
        )
