"""The VMI status fragments virt-controller and virt-handler write at each phase (pure builders).

Each function returns the merge-patch body for ``status``: only the fields that step owns, with
``phaseTransitionTimestamps`` extended so KubeVirt's own "did it ever run" logic works on it.
"""

from __future__ import annotations

import uuid
from typing import Any

from kubenova.kubevirt.models import Condition, VirtualMachineInstance, VmiPhase
from kubevirt_simulator.ipam import mac_for_address, mac_for_interface
from kubevirt_simulator.names import ALLOW_POD_BRIDGE_MIGRATION_ANNOTATION

POD_SCHEDULED = "PodScheduled"
READY = "Ready"
LIVE_MIGRATABLE = "LiveMigratable"
PAUSED = "Paused"
"""Set by the pause subresource; a guest that stopped is no longer paused."""
UNSCHEDULABLE = "Unschedulable"
NOT_MIGRATABLE_INTERFACE = (
    "cannot migrate VMI which does not use masquerade, bridge with "
    f"{ALLOW_POD_BRIDGE_MIGRATION_ANNOTATION} VM annotation or a migratable plugin "
    "to connect to the pod network"
)


def _transitions(vmi: VirtualMachineInstance, phase: VmiPhase, at: str) -> list[dict[str, Any]]:
    previous = [t.to_api() for t in vmi.status.phase_transition_timestamps]
    return [*previous, {"phase": phase.value, "phaseTransitionTimestamp": at}]


def _conditions_without(vmi: VirtualMachineInstance, *types: str) -> list[dict[str, Any]]:
    return [c.to_api() for c in vmi.status.conditions if c.type not in types]


def launcher_pod_uid(vmi_uid: str, node: str) -> str:
    """A stable fake uid for the virt-launcher pod of a VMI on a node (for ``activePods``)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"virt-launcher/{vmi_uid}/{node}"))


def launcher_pod_name(vmi: VirtualMachineInstance, node: str) -> str:
    suffix = launcher_pod_uid(str(vmi.metadata.uid), node)[:5]
    return f"virt-launcher-{vmi.metadata.name}-{suffix}"


def scheduling(vmi: VirtualMachineInstance, at: str) -> dict[str, Any]:
    """virt-controller's first write: the launcher pod exists, so the VMI is Scheduling."""
    return {
        "phase": VmiPhase.SCHEDULING.value,
        "phaseTransitionTimestamps": _transitions(vmi, VmiPhase.SCHEDULING, at),
        "qosClass": "Burstable",
    }


def unschedulable(vmi: VirtualMachineInstance, message: str, at: str) -> dict[str, Any] | None:
    """The PodScheduled=False condition; None when the VMI already carries exactly this one."""
    current = next((c for c in vmi.status.conditions if c.type == POD_SCHEDULED), None)
    if current is not None and current.status == "False" and current.message == message:
        return None
    condition = Condition(
        type=POD_SCHEDULED,
        status="False",
        reason=UNSCHEDULABLE,
        message=message,
        last_transition_time=at,
        last_probe_time=None,
    ).to_api()
    return {"conditions": [*_conditions_without(vmi, POD_SCHEDULED), condition]}


def scheduled(vmi: VirtualMachineInstance, node: str, at: str) -> dict[str, Any]:
    return {
        "phase": VmiPhase.SCHEDULED.value,
        "nodeName": node,
        "activePods": {launcher_pod_uid(str(vmi.metadata.uid), node): node},
        "conditions": _conditions_without(vmi, POD_SCHEDULED),
        "phaseTransitionTimestamps": _transitions(vmi, VmiPhase.SCHEDULED, at),
    }


def needs_pool_address(vmi: VirtualMachineInstance) -> bool:
    pod_networks = {n.name for n in vmi.spec.networks if n.pod is not None}
    return any(i.name in pod_networks for i in vmi.spec.domain.devices.interfaces)


def interfaces(vmi: VirtualMachineInstance, address: str | None) -> list[dict[str, Any]]:
    """Guest interfaces as virt-handler reports them; the pod-network one gets the pool address."""
    pod_networks = {n.name for n in vmi.spec.networks if n.pod is not None}
    result: list[dict[str, Any]] = []
    for index, iface in enumerate(vmi.spec.domain.devices.interfaces):
        entry: dict[str, Any] = {
            "name": iface.name,
            "interfaceName": f"eth{index}",
            "infoSource": "domain, guest-agent",
            "queueCount": 1,
        }
        if iface.name in pod_networks and address:
            entry["ipAddress"] = address
            entry["ipAddresses"] = [address]
            entry["mac"] = iface.mac_address or mac_for_address(address)
        else:
            entry["mac"] = iface.mac_address or mac_for_interface(str(vmi.metadata.uid), iface.name)
        result.append(entry)
    return result


def live_migratable(vmi: VirtualMachineInstance) -> tuple[bool, str, str]:
    """(migratable, reason, message) as KubeVirt's LiveMigratable condition would say."""
    pod_networks = {n.name for n in vmi.spec.networks if n.pod is not None}
    allow_bridge = ALLOW_POD_BRIDGE_MIGRATION_ANNOTATION in vmi.metadata.annotations
    for iface in vmi.spec.domain.devices.interfaces:
        if iface.name in pod_networks and iface.bridge is not None and not allow_bridge:
            return False, "InterfaceNotLiveMigratable", NOT_MIGRATABLE_INTERFACE
    for volume in vmi.spec.volumes:
        if volume.host_disk is not None:
            return (
                False,
                "DisksNotLiveMigratable",
                f"cannot migrate VMI: hostDisk volume {volume.name} is local",
            )
    return True, "", ""


def running(vmi: VirtualMachineInstance, address: str | None, at: str) -> dict[str, Any]:
    migratable, reason, message = live_migratable(vmi)
    ready = Condition(type=READY, status="True", last_transition_time=at).to_api()
    migratable_condition: dict[str, Any] = {
        "type": LIVE_MIGRATABLE,
        "status": "True" if migratable else "False",
    }
    if not migratable:
        migratable_condition.update(reason=reason, message=message)
    return {
        "phase": VmiPhase.RUNNING.value,
        "interfaces": interfaces(vmi, address),
        "conditions": [*_conditions_without(vmi, READY, LIVE_MIGRATABLE), ready, migratable_condition],
        "migrationMethod": "BlockMigration" if _has_local_disks(vmi) else "LiveMigration",
        "phaseTransitionTimestamps": _transitions(vmi, VmiPhase.RUNNING, at),
    }


def _has_local_disks(vmi: VirtualMachineInstance) -> bool:
    return any(v.empty_disk is not None for v in vmi.spec.volumes)


def failed(vmi: VirtualMachineInstance, reason: str, message: str, at: str) -> dict[str, Any]:
    ready = Condition(type=READY, status="False", reason=reason, message=message, last_transition_time=at)
    return {
        "phase": VmiPhase.FAILED.value,
        "reason": reason,
        "conditions": [*_conditions_without(vmi, READY, PAUSED), ready.to_api()],
        "phaseTransitionTimestamps": _transitions(vmi, VmiPhase.FAILED, at),
    }


def shut_down(vmi: VirtualMachineInstance, at: str) -> dict[str, Any]:
    ready = Condition(
        type=READY,
        status="False",
        reason="PodTerminating",
        message="virt-launcher pod is terminating",
        last_transition_time=at,
    )
    return {
        "phase": VmiPhase.SUCCEEDED.value,
        "conditions": [*_conditions_without(vmi, READY, LIVE_MIGRATABLE, PAUSED), ready.to_api()],
        "phaseTransitionTimestamps": _transitions(vmi, VmiPhase.SUCCEEDED, at),
    }
