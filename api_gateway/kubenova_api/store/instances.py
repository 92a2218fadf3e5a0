"""The KubeVirt VirtualMachineInstance behind a server, read once per request (``GET
/servers/{id}/diagnostics``: an admin's occasional call, as Nova's is a synchronous call to the
compute host; no VMI watch cache is kept for it). Only the facts diagnostics report leave here.

``console_log``: the serial console log of ``os-getConsoleOutput``, where KubeVirt keeps it: the
``guest-console-log`` container of the VMI's virt-launcher Pod (``spec.domain.devices.
logSerialConsole``), read through ``pods/log`` (the API server asks the node's kubelet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from kubenova import k8s, quantities
from kubenova_api import errors
from kubenova_api.store.kube import call


@dataclass(frozen=True)
class InstanceFacts:
    """What virt-handler reports of a running VMI (status) and what its spec says it is."""

    uid: str
    phase: str | None
    running_since: datetime | None
    """When it last entered phase Running (``status.phaseTransitionTimestamps``)."""
    vcpus: int
    memory_mib: int | None
    """Guest memory (``spec.domain.memory.guest``, else the memory request)."""
    macs: tuple[str | None, ...]
    """One per interface in ``status.interfaces``."""
    disks: int
    config_drive: bool


GUEST_CONSOLE_LOG = "guest-console-log"
"""virt-launcher's container that streams the serial console log (KubeVirt's name)."""
LAUNCHER_CREATED_BY = "kubevirt.io/created-by"
"""virt-controller's label on a VMI's virt-launcher Pod: the VMI's uid."""


class ConsoleLogMissing(StrEnum):
    """Why there is no console log to read."""

    NOT_RUNNING = "no running virt-launcher pod"
    NOT_LOGGED = "the launcher pod has no guest-console-log container"


class InstanceStore:
    def __init__(self, kube: k8s.Client) -> None:
        self.kube = kube

    async def facts(self, namespace: str, name: str) -> InstanceFacts | None:
        """The VMI ``name``'s facts; ``None`` if there is none."""
        try:
            body = await call(
                f"VirtualMachineInstance {name}",
                self.kube.get(k8s.VIRTUAL_MACHINE_INSTANCES, name, namespace),
            )
        except errors.NotFoundError:
            return None  # no instance runs
        return parse(body)

    async def console_log(self, namespace: str, name: str, tail_lines: int | None) -> str | ConsoleLogMissing:
        """The last ``tail_lines`` lines (all when ``None``) of VMI ``name``'s serial console log."""
        facts = await self.facts(namespace, name)
        if facts is None or not facts.uid:
            return ConsoleLogMissing.NOT_RUNNING
        pods = await call(
            f"virt-launcher pods of {name}",
            self.kube.list(k8s.PODS, namespace, label_selector=f"{LAUNCHER_CREATED_BY}={facts.uid}"),
        )
        running = [p for p in pods if (p.get("status") or {}).get("phase") == "Running"]
        if not running:
            return ConsoleLogMissing.NOT_RUNNING
        pod = running[0]
        containers = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
        if GUEST_CONSOLE_LOG not in containers:
            return ConsoleLogMissing.NOT_LOGGED
        pod_name = str((pod.get("metadata") or {}).get("name"))
        query: dict[str, Any] = {"container": GUEST_CONSOLE_LOG, "tailLines": tail_lines}
        try:
            return await call(
                f"Console log of {pod_name}",
                self.kube.text(k8s.PODS.path(namespace, pod_name, "log"), query=query),
            )
        except errors.NotFoundError:
            return ConsoleLogMissing.NOT_RUNNING  # the pod went meanwhile


def parse(body: dict[str, Any]) -> InstanceFacts:
    spec, status = body.get("spec") or {}, body.get("status") or {}
    domain = spec.get("domain") or {}
    cpu = domain.get("cpu") or {}
    vcpus = int(cpu.get("cores") or 1) * int(cpu.get("sockets") or 1) * int(cpu.get("threads") or 1)
    guest = (domain.get("memory") or {}).get("guest") or (
        (domain.get("resources") or {}).get("requests") or {}
    ).get("memory")
    running = [
        t.get("phaseTransitionTimestamp")
        for t in status.get("phaseTransitionTimestamps") or []
        if t.get("phase") == "Running" and t.get("phaseTransitionTimestamp")
    ]
    volumes = spec.get("volumes") or []
    return InstanceFacts(
        uid=str((body.get("metadata") or {}).get("uid") or ""),
        phase=status.get("phase"),
        running_since=_time(running[-1]) if running else None,
        vcpus=vcpus,
        memory_mib=quantities.parse_mib(guest) if guest else None,
        macs=tuple(i.get("mac") for i in status.get("interfaces") or []),
        disks=len((domain.get("devices") or {}).get("disks") or []),
        config_drive=any("cloudInitConfigDrive" in v for v in volumes),
    )


def _time(raw: str) -> datetime | None:
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
