# Over 300 lines: the wiring of every cache, controller and endpoint of the simulator in one place.
"""Wires the simulator together: caches, work queue, workers and the controllers they drive.

Every change seen on a watch becomes a key on one work queue ("vm", "vmi", "vmim", "node", and
for CDI and storage "dv", "pvc", "pv" (``storage_stack``), plus namespace/name); workers hand each
key to its controller, which reads the caches, writes what is due and may ask to be called again
after a delay (phase steps, heartbeats, back-off). A periodic resync re-queues everything, so a
missed event costs at most one resync period.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from kubenova.k8s import Conflict, Informer, KubeError, NotFound, Transport, as_is, object_key
from kubenova.k8s import JsonObject as Obj
from kubevirt_simulator import apiservice, launcher_pods
from kubevirt_simulator.apiservice import service_dns_names
from kubevirt_simulator.capacity import Capacity
from kubevirt_simulator.config import SimulatorConfig
from kubevirt_simulator.crds import VM_RESOURCE, VMI_RESOURCE, VMIM_RESOURCE, ensure_crds
from kubevirt_simulator.ipam import IpAllocator
from kubevirt_simulator.kubelet_api import KubeletEndpoints
from kubevirt_simulator.launcher_pods import LAUNCHER_SELECTOR, POD_RESOURCE, LauncherPods
from kubevirt_simulator.migrations import FINAL as MIGRATION_FINAL
from kubevirt_simulator.migrations import MigrationController
from kubevirt_simulator.nodes import MANAGED_SELECTOR, NODE_RESOURCE, NodeManager
from kubevirt_simulator.servingcert import self_signed
from kubevirt_simulator.storage_class import ensure_storage_class
from kubevirt_simulator.storage_stack import StorageStack
from kubevirt_simulator.subresource_api import SubresourceApi
from kubevirt_simulator.vm_controller import VmController
from kubevirt_simulator.vmi_lifecycle import VmiLifecycle
from kubevirt_simulator.workqueue import WorkQueue

log = logging.getLogger(__name__)

Key = tuple[str, str, str]
"""(kind, namespace, name) with kind one of "node", "vm", "vmi", "vmim", "dv", "pvc", "pv"."""


def _significant(node: Obj | None) -> Any:
    """What of a Node matters to placement and failure injection (heartbeats do not)."""
    if node is None:
        return None
    meta = node.get("metadata") or {}
    status = node.get("status") or {}
    ready = [(c.get("type"), c.get("status")) for c in status.get("conditions") or []]
    return (
        meta.get("labels"),
        meta.get("annotations"),
        node.get("spec"),
        status.get("allocatable"),
        status.get("capacity"),
        ready,
    )


def _phase(vmi: Obj) -> str | None:
    """The VMI cache's index: by phase (the VMIs waiting for a node are read without walking all)."""
    phase = (vmi.get("status") or {}).get("phase")
    return str(phase) if phase else None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _releases_capacity(old: Obj | None, new: Obj | None) -> bool:
    """A placed VMI went away or finished, so its node has room again."""
    old_status = (old or {}).get("status") or {}
    if not old_status.get("nodeName"):
        return False
    if new is None:
        return True
    final = ("Succeeded", "Failed")
    return old_status.get("phase") not in final and ((new.get("status") or {}).get("phase") in final)


class Simulator:
    def __init__(self, config: SimulatorConfig, client: Transport) -> None:
        self.config = config
        self.client = client
        self.stop_event = threading.Event()
        self.queue: WorkQueue[Key] = WorkQueue()
        self.nodes = Informer(
            client, NODE_RESOURCE, as_is, handler=self._on_node, label_selector=MANAGED_SELECTOR, name="nodes"
        )
        self.vms = Informer(client, VM_RESOURCE, as_is, handler=self._on_vm, name="virtualmachines")
        self.vmis = Informer(
            client, VMI_RESOURCE, as_is, handler=self._on_vmi, name="virtualmachineinstances", index=_phase
        )
        self.migrations = Informer(
            client, VMIM_RESOURCE, as_is, handler=self._on_migration, name="migrations"
        )
        self.pods = Informer(
            client,
            POD_RESOURCE,
            as_is,
            handler=self._on_pod,
            label_selector=LAUNCHER_SELECTOR,
            name="pods",
            index=launcher_pods.owner_key,
        )
        self.kubelet = KubeletEndpoints(self.pods, self.vmis, client)
        self.ipam = IpAllocator(config.ip_cidr)
        self.capacity = Capacity(config, self.nodes)
        self.node_manager = NodeManager(client, config)
        self.node_manager.informer = self.nodes
        self.node_manager.kubelet_port = self.kubelet.port_for
        self.node_manager.node_gone = self.kubelet.forget
        self.storage = StorageStack(client, config, self.queue)
        self.vm_controller = VmController(client, config, self.vms, self.vmis, self.storage.vm_volumes)
        self.lifecycle = VmiLifecycle(
            client,
            config,
            vmis=self.vmis,
            nodes=self.nodes,
            migrations=self.migrations,
            capacity=self.capacity,
            ipam=self.ipam,
            launcher_pods=LauncherPods(client, self.pods),
        )
        self.migration_controller = MigrationController(
            client,
            config,
            migrations=self.migrations,
            vmis=self.vmis,
            nodes=self.nodes,
            capacity=self.capacity,
        )
        self._reconcilers: dict[str, Callable[[str, str], float | None]] = {
            "node": lambda _ns, name: self.node_manager.reconcile(name),
            "vm": self.vm_controller.reconcile,
            "vmi": self.lifecycle.reconcile,
            "vmim": self.migration_controller.reconcile,
            **self.storage.reconcilers(),
        }
        self._threads: list[threading.Thread] = []
        self.ready = threading.Event()
        self.subresource_api: SubresourceApi | None = None

    # -- event fan-out ----------------------------------------------------------------------
    def _on_node(self, old: Obj | None, new: Obj | None) -> None:
        obj = new or old
        assert obj is not None
        name = object_key(obj)[1]
        self.queue.add(("node", "", name))
        if _significant(old) == _significant(new):
            return
        for vmi in self.vmis.objects():
            status = vmi.get("status") or {}
            if status.get("nodeName") == name or status.get("phase") == "Scheduling":
                self.queue.add(("vmi", *object_key(vmi)))
        for migration in self.migrations.objects():
            if (migration.get("status") or {}).get("phase") not in MIGRATION_FINAL:
                self.queue.add(("vmim", *object_key(migration)))

    def _on_vm(self, old: Obj | None, new: Obj | None) -> None:
        obj = new or old
        assert obj is not None
        self.queue.add(("vm", *object_key(obj)))

    def _on_vmi(self, old: Obj | None, new: Obj | None) -> None:
        obj = new or old
        assert obj is not None
        namespace, name = object_key(obj)
        if new is None:
            self.lifecycle.forget(obj)
        else:
            self.capacity.observe(new)
        self.queue.add(("vmi", namespace, name))
        if _releases_capacity(old, new):
            self._enqueue_waiting_vmis()
        owners = [
            r.get("name")
            for r in (obj.get("metadata") or {}).get("ownerReferences") or []
            if r.get("kind") == "VirtualMachine" and r.get("controller")
        ]
        self.queue.add(("vm", namespace, str(owners[0]) if owners else name))
        for migration in self.migrations.objects():
            meta = migration.get("metadata") or {}
            if (
                meta.get("namespace") == namespace
                and (migration.get("spec") or {}).get("vmiName") == name
                and (migration.get("status") or {}).get("phase") not in MIGRATION_FINAL
            ):
                self.queue.add(("vmim", namespace, str(meta.get("name"))))

    def _on_pod(self, old: Obj | None, new: Obj | None) -> None:
        """A launcher pod changed (or went): its VMI's controller looks at it again."""
        obj = new or old
        assert obj is not None
        meta = obj.get("metadata") or {}
        for ref in meta.get("ownerReferences") or []:
            if ref.get("kind") == "VirtualMachineInstance":
                self.queue.add(("vmi", str(meta.get("namespace")), str(ref.get("name"))))

    def _enqueue_waiting_vmis(self) -> None:
        """Capacity was freed: VMIs waiting for a node get another placement attempt now."""
        for vmi in self.vmis.indexed("Scheduling"):
            self.queue.add(("vmi", *object_key(vmi)))

    def _on_migration(self, old: Obj | None, new: Obj | None) -> None:
        obj = new or old
        assert obj is not None
        namespace, name = object_key(obj)
        self.queue.add(("vmim", namespace, name))
        if new is None:
            self.migration_controller.forget(obj)
            self.capacity.release_target(str((obj.get("metadata") or {}).get("uid")))
            vmi_name = (obj.get("spec") or {}).get("vmiName")
            if vmi_name:
                self.queue.add(("vmi", namespace, str(vmi_name)))

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self, timeout: float = 120.0) -> None:
        """Install CRDs, register Nodes, sync caches and start the workers (blocks until ready)."""
        deadline = time.monotonic() + timeout
        self._retry_until(lambda: ensure_crds(self.client, self.stop_event), deadline, "installing CRDs")
        self._retry_until(lambda: ensure_storage_class(self.client), deadline, "installing the StorageClass")
        self._retry_until(self.node_manager.register, deadline, "registering nodes")
        informers = (self.nodes, self.vms, self.vmis, self.migrations, self.pods, *self.storage.informers)
        for informer in informers:
            informer.start(self.stop_event)
        for informer in informers:
            while not informer.wait_synced(0.1):
                if self.stop_event.is_set():
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"kubevirt-simulator: {informer.name} cache did not sync")
        self.lifecycle.restore_addresses()
        for index in range(self.config.workers):
            self._spawn(self._work, f"worker-{index}")
        self._spawn(self._resync, "resync")
        self._enqueue_all()
        if self.config.subresource_api:
            self._serve_subresource_api()  # replaces a registration a killed run left behind
        else:
            apiservice.remove_stale(self.client)
        self.ready.set()
        log.info(
            "kubevirt-simulator: ready (%d managed nodes, %d VMs, %d VMIs, %d addresses restored)",
            len(self.nodes.objects()),
            len(self.vms.objects()),
            len(self.vmis.objects()),
            self.ipam.in_use(),
        )

    def _serve_subresource_api(self) -> None:
        host = self.config.subresource_api_host
        ips = [host] if _is_ip(host) else []
        names = ["localhost", *service_dns_names(), *([] if ips else [host])]
        cert = self_signed(names, ips or ["127.0.0.1"])
        self.subresource_api = SubresourceApi(self.client, host, self.config.subresource_api_port, cert)
        self.subresource_api.start()
        apiservice.register(self.client, host, self.subresource_api.port, cert.cert_pem)

    def stop(self, timeout: float = 10.0) -> None:
        if self.subresource_api is not None:
            apiservice.unregister(self.client)  # before the backend goes: no dangling APIService
            self.subresource_api.stop()
        self.stop_event.set()
        self.queue.shutdown()
        self.kubelet.stop()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.0))
        log.info("kubevirt-simulator: stopped")

    def _retry_until(self, action: Callable[[], None], deadline: float, what: str) -> None:
        delay = 0.2
        while not self.stop_event.is_set():
            try:
                action()
                return
            except KubeError as exc:
                if time.monotonic() + delay > deadline:
                    raise
                log.warning("kubevirt-simulator: %s failed (%s); retrying", what, exc)
                self.stop_event.wait(delay)
                delay = min(delay * 2, 5.0)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=f"kubevirt-simulator-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _enqueue_all(self) -> None:
        for obj in self.nodes.objects():
            self.queue.add(("node", *object_key(obj)))
        for kind, informer in (("vm", self.vms), ("vmi", self.vmis), ("vmim", self.migrations)):
            for obj in informer.objects():
                self.queue.add((kind, *object_key(obj)))
        self.storage.enqueue_all()

    def _resync(self) -> None:
        period = self.config.resync_period
        if period <= 0:
            return
        while not self.stop_event.wait(period):
            self._enqueue_all()

    def _work(self) -> None:
        while True:
            key = self.queue.get()
            if key is None:
                return
            kind, namespace, name = key
            try:
                again = self._reconcilers[kind](namespace, name)
            except KubeError as exc:
                level = logging.DEBUG if isinstance(exc, Conflict | NotFound) else logging.WARNING
                log.log(level, "kubevirt-simulator: %s %s/%s: %s; retrying", kind, namespace, name, exc)
                self.queue.add_rate_limited(key)
            except Exception:
                log.exception("kubevirt-simulator: %s %s/%s failed; retrying", kind, namespace, name)
                self.queue.add_rate_limited(key)
            else:
                self.queue.forget(key)
                if again is not None:
                    self.queue.add_after(key, again)
            finally:
                self.queue.done(key)
