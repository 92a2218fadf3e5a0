"""The CDI and storage half of the simulator wired up: the caches of DataVolumes, PVCs, PVs and
StorageClasses, what their changes put on the work queue, and the reconcilers of the keys
"dv" (``datavolumes``), "pvc" and "pv" (``provisioner``)."""

from __future__ import annotations

from collections.abc import Callable

from kubenova import k8s
from kubenova.k8s import Informer, Transport, as_is, object_key
from kubenova.k8s import JsonObject as Obj
from kubevirt_simulator.config import SimulatorConfig
from kubevirt_simulator.crds import DV_RESOURCE
from kubevirt_simulator.datavolumes import DataVolumeController
from kubevirt_simulator.provisioner import Provisioner
from kubevirt_simulator.vm_volumes import VmVolumes
from kubevirt_simulator.workqueue import WorkQueue

Key = tuple[str, str, str]


def _controller(obj: Obj, kind: str) -> str | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("kind") == kind and ref.get("controller"):
            return str(ref.get("name"))
    return None


class StorageStack:
    def __init__(self, client: Transport, config: SimulatorConfig, queue: WorkQueue[Key]) -> None:
        self._queue = queue
        self.dvs = Informer(client, DV_RESOURCE, as_is, handler=self._on_dv, name="datavolumes")
        self.pvcs = Informer(
            client, k8s.PERSISTENT_VOLUME_CLAIMS, as_is, handler=self._on_pvc, name="persistentvolumeclaims"
        )
        self.pvs = Informer(
            client, k8s.PERSISTENT_VOLUMES, as_is, handler=self._on_pv, name="persistentvolumes"
        )
        self.classes = Informer(client, k8s.STORAGE_CLASSES, as_is, name="storageclasses")
        self.cdi = DataVolumeController(client, config, self.dvs, self.pvcs)
        self.provisioner = Provisioner(client, self.pvcs, self.pvs, self.classes)
        self.vm_volumes = VmVolumes(client, self.dvs, self.pvcs)

    @property
    def informers(self) -> tuple[Informer[Obj], ...]:
        return (self.classes, self.dvs, self.pvcs, self.pvs)

    def reconcilers(self) -> dict[str, Callable[[str, str], float | None]]:
        return {
            "dv": self.cdi.reconcile,
            "pvc": self.provisioner.reconcile_claim,
            "pv": self.provisioner.reconcile_volume,
        }

    def enqueue_all(self) -> None:
        for kind, informer in (("dv", self.dvs), ("pvc", self.pvcs), ("pv", self.pvs)):
            for obj in informer.objects():
                self._queue.add((kind, *object_key(obj)))

    def _on_dv(self, old: Obj | None, new: Obj | None) -> None:
        obj = new or old
        assert obj is not None
        namespace, name = object_key(obj)
        self._queue.add(("dv", namespace, name))
        vm = _controller(obj, "VirtualMachine")
        if vm is not None:
            self._queue.add(("vm", namespace, vm))

    def _on_pvc(self, old: Obj | None, new: Obj | None) -> None:
        obj = new or old
        assert obj is not None
        namespace, name = object_key(obj)
        self._queue.add(("pvc", namespace, name))
        dv = _controller(obj, "DataVolume")
        if dv is not None:
            self._queue.add(("dv", namespace, dv))
        for volume in (
            ((old or {}).get("spec") or {}).get("volumeName"),
            ((new or {}).get("spec") or {}).get("volumeName"),
        ):
            if volume:
                self._queue.add(("pv", "", str(volume)))

    def _on_pv(self, old: Obj | None, new: Obj | None) -> None:
        obj = new or old
        assert obj is not None
        self._queue.add(("pv", "", object_key(obj)[1]))
        claim = (obj.get("spec") or {}).get("claimRef") or {}
        if claim.get("name"):
            self._queue.add(("pvc", str(claim.get("namespace") or ""), str(claim["name"])))
