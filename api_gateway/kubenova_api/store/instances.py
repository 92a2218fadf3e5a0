"""The KubeVirt VirtualMachineInstance behind a server, read once per request (``GET
/servers/{id}/diagnostics`` only: an admin's occasional call, as Nova's is a synchronous call to
the compute host; no VMI watch cache is kept for it). Only the facts diagnostics report leave here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
