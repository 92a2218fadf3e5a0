"""``make bench``: what bare KubeVirt costs on the same stack, kubenova left out.

A Nova layer on KubeVirt cannot be cheaper than KubeVirt itself. This phase creates
VirtualMachines directly through the Kubernetes API, as a KubeVirt user would (``kubectl
create -f vm.yaml``), in a namespace of their own, with the bench's identity, and times each from
its create to its VMI Running, then from its delete to the VM gone; the same CPU and request
accounting as the Nova API phases wraps it (``end_to_end``). The VMs are copies of one the operator
built for a server of the first burst (same disks, DataVolume template, cloud-init, memory), with
kubenova's labels, annotations, owner and host pin dropped, so the operator leaves them alone and
the simulator places them itself.

What it tells: the CPU the control plane (kube-apiserver, etcd, kube-controller-manager) and the
KubeVirt stand-in spend per VM for the writes KubeVirt, CDI and the storage provisioner make anyway.
``2 cores / that`` is a ceiling on VMs per second on this machine that no Nova layer can pass, and
a server's cost in the Nova phases minus this is what kubenova adds. The simulator writes what
KubeVirt writes (``operator/kubevirt_simulator/README.md``), so the ceiling carries over only as far
as the simulator's CPU is like virt-controller's and virt-handler's; the control plane's part is
the real kube-apiserver's.
"""

from __future__ import annotations

import asyncio
import copy
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from kubernetes import client

from tests.bench.bench_stats import rate, summary, windows
from tests.bench.server_watch import ResourceWatch

NAMESPACE = "bench-kubevirt"
KUBEVIRT = ("kubevirt.io", "v1")
KUBENOVA_PREFIX = "compute.kubenova.io/"


def _plain(meta: dict[str, Any]) -> dict[str, Any]:
    """Labels and annotations without kubenova's (which would make the operator take the VM up)."""
    out: dict[str, Any] = {}
    for key in ("labels", "annotations"):
        kept = {k: v for k, v in (meta.get(key) or {}).items() if not k.startswith(KUBENOVA_PREFIX)}
        if kept:
            out[key] = kept
    return out


def template_of(vm: dict[str, Any]) -> dict[str, Any]:
    """A VM the operator built, as a plain KubeVirt VM: spec kept, kubenova's marks and pin dropped."""
    spec = copy.deepcopy(vm["spec"])
    for dv in spec.get("dataVolumeTemplates") or []:
        dv["metadata"] = {"name": dv["metadata"]["name"], **_plain(dv["metadata"])}
    template = spec.get("template") or {}
    template["metadata"] = _plain(template.get("metadata") or {})
    (template.get("spec") or {}).pop("nodeSelector", None)
    return {"apiVersion": "/".join(KUBEVIRT), "kind": "VirtualMachine", "metadata": {}, "spec": spec}


def vm_named(template: dict[str, Any], name: str) -> dict[str, Any]:
    """``template`` as VM ``name``: its DataVolumes renamed after it, a firmware uuid of its own."""
    vm = copy.deepcopy(template)
    vm["metadata"] = {"name": name, "namespace": NAMESPACE}
    spec = vm["spec"]
    renamed: dict[str, str] = {}
    for index, dv in enumerate(spec.get("dataVolumeTemplates") or []):
        renamed[dv["metadata"]["name"]] = dv["metadata"]["name"] = f"{name}-dv{index}"
    domain_spec = spec["template"]["spec"]
    for volume in domain_spec.get("volumes") or []:
        for kind in ("dataVolume", "persistentVolumeClaim"):
            ref = volume.get(kind)
            key = "name" if kind == "dataVolume" else "claimName"
            if ref and ref.get(key) in renamed:
                ref[key] = renamed[ref[key]]
    firmware = domain_spec.get("domain", {}).get("firmware")
    if firmware and "uuid" in firmware:
        firmware["uuid"] = str(uuid.uuid4())
    return vm


class VmWatch(ResourceWatch):
    """VMIs of the namespace: when each (by name) was first Running; VMs: when each was gone."""

    def __init__(self, kube: client.ApiClient, plural: str) -> None:
        super().__init__(kube, NAMESPACE, (*KUBEVIRT, plural))
        self.reached: dict[str, float] = {}
        self.gone: dict[str, float] = {}

    def _see(self, kind: str, obj: dict[str, Any], now: float) -> None:
        name = str(obj["metadata"]["name"])
        if kind == "DELETED":
            self.gone.setdefault(name, now)
        elif (obj.get("status") or {}).get("phase") == "Running":
            self.reached.setdefault(name, now)


@dataclass
class BareVms:
    """Creates and deletes copies of ``template`` and times them through two watches."""

    kube: client.ApiClient
    template: dict[str, Any]
    timeout: float = 300.0
    _serial: int = 0
    vmis: VmWatch = field(init=False)
    vms: VmWatch = field(init=False)

    def __post_init__(self) -> None:
        core = client.CoreV1Api(self.kube)
        try:
            core.create_namespace({"metadata": {"name": NAMESPACE}})
        except client.ApiException as exc:
            if exc.status != 409:
                raise
        self.custom = client.CustomObjectsApi(self.kube)
        self.vmis = VmWatch(self.kube, "virtualmachineinstances")
        self.vms = VmWatch(self.kube, "virtualmachines")
        self.vmis.start()
        self.vms.start()

    def stop(self) -> None:
        self.vmis.stop()
        self.vms.stop()

    async def _one(self) -> tuple[str, float, float | None]:
        self._serial += 1
        name = f"bare-{self._serial}"
        body = vm_named(self.template, name)
        sent = time.monotonic()
        await asyncio.to_thread(
            self.custom.create_namespaced_custom_object, *KUBEVIRT, NAMESPACE, "virtualmachines", body
        )
        return name, sent, await self.vmis.when(self.vmis.reached, name, since=sent, timeout=self.timeout)

    async def _delete(self, name: str) -> tuple[float, float | None]:
        sent = time.monotonic()
        await asyncio.to_thread(
            self.custom.delete_namespaced_custom_object, *KUBEVIRT, NAMESPACE, "virtualmachines", name
        )
        return sent, await self.vms.when(self.vms.gone, name, since=sent, timeout=self.timeout)

    @staticmethod
    def _figures(results: list[tuple[float, float | None]], in_flight: int) -> dict[str, Any]:
        done = [(sent, end) for sent, end in results if end is not None]
        span = (max(e for _, e in done) - min(s for s, _ in results)) if done else 0.0
        return {
            "servers": len(results),  # VMs; the key the CPU and request accounting divides by
            "latency": summary([end - sent for sent, end in done]),
            "not_done": len(results) - len(done),
            "errors": 0,
            "faults": [],
            "seconds": round(span, 3),
            "per_second": rate(len(done), span),
            "in_flight": in_flight,
        }

    async def burst(self, count: int, in_flight: int) -> tuple[dict[str, Any], list[str]]:
        """``count`` VMs, ``in_flight`` at a time: create → VMI Running; the VMs' names."""
        gate = asyncio.Semaphore(in_flight)

        async def one(_: int) -> tuple[str, float, float | None]:
            async with gate:
                return await self._one()

        results = await asyncio.gather(*(one(i) for i in range(count)))
        return self._figures([(s, e) for _, s, e in results], in_flight), [n for n, _, _ in results]

    async def sustained(self, per_second: float, seconds: float) -> tuple[dict[str, Any], list[str]]:
        """Open loop, as the Nova phase's: one VM every 1/``per_second`` s for ``seconds`` s."""
        total = max(1, round(per_second * seconds))
        start = time.monotonic()

        async def one(index: int) -> tuple[str, float, float | None]:
            await asyncio.sleep(max(0.0, start + index / per_second - time.monotonic()))
            return await self._one()

        results = await asyncio.gather(*(one(i) for i in range(total)))
        sent = [s for _, s, _ in results]
        done = [e for _, _, e in results if e is not None]
        rows = windows(start, sent, done, max([*done, *sent]))
        issuing = [row for row in rows if row["from"] < seconds]
        growth = issuing[-1]["backlog"] - issuing[0]["backlog"] if issuing else 0
        figures = self._figures([(s, e) for _, s, e in results], 0)
        del figures["in_flight"]
        figures |= {
            "rate": per_second,
            "duration": seconds,
            "windows": rows,
            "backlog_growth": growth,
            "keeps_up": growth <= per_second and figures["not_done"] == 0,
        }
        return figures, [n for n, _, _ in results]

    async def delete(self, names: list[str], in_flight: int) -> dict[str, Any]:
        """Delete ``names``, ``in_flight`` at a time: delete → VM gone."""
        gate = asyncio.Semaphore(in_flight)

        async def one(name: str) -> tuple[float, float | None]:
            async with gate:
                return await self._delete(name)

        return self._figures(list(await asyncio.gather(*(one(n) for n in names))), in_flight)
