"""virt-handler's guest-agent conditions, for VMIs whose access credentials go through the agent.

A VMI with a ``userPassword`` access credential propagated by ``qemuGuestAgent`` has a guest that
runs the QEMU guest agent (it could not work otherwise), so once Running it shows
``AgentConnected=True`` and ``AccessCredentialsSynchronized=True``: virt-launcher applies the
Secret's passwords through the agent, and again whenever the Secret's data changes, which leaves
the condition True (KubeVirt reports a level, not which version of the Secret was applied; the
simulator therefore never reads Secrets). On a Node annotated
``kubevirt-simulator.kubenova.io/guest-agent=disconnected`` the agent never connects: no
``AgentConnected``, and ``AccessCredentialsSynchronized=False`` with a message (the simulator's
wording). The conditions follow the annotation while the VMI runs. Other VMIs get neither
condition (the simulator cannot know whether their guest runs an agent).
"""

from __future__ import annotations

from typing import Any

from kubenova.k8s import JsonObject as Obj
from kubenova.kubevirt.models import ACCESS_CREDENTIALS_SYNCHRONIZED, AGENT_CONNECTED, VirtualMachineInstance
from kubevirt_simulator.names import GUEST_AGENT_ANNOTATION

__all__ = ["GUEST_AGENT_ANNOTATION"]

CONDITION_TYPES = (ACCESS_CREDENTIALS_SYNCHRONIZED, AGENT_CONNECTED)
DISCONNECTED_MESSAGE = "Guest agent is disconnected: unable to set user passwords"


def agent_credentials(vmi: VirtualMachineInstance) -> bool:
    """Whether access credentials of ``vmi`` are propagated through the guest agent."""
    return any(
        c.user_password is not None and c.user_password.propagation_method.qemu_guest_agent is not None
        for c in vmi.spec.access_credentials or []
    )


def connected_on(node: Obj | None) -> bool:
    annotations = ((node or {}).get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(GUEST_AGENT_ANNOTATION, "")).lower() != "disconnected"


def conditions(vmi: VirtualMachineInstance, connected: bool, at: str) -> list[dict[str, Any]] | None:
    """The VMI's conditions with the agent's ones as they should be; ``None`` when unchanged
    (or the VMI has no agent-propagated credentials)."""
    if not agent_credentials(vmi):
        return None
    current = {c.type: c for c in vmi.status.conditions}
    synced = current.get(ACCESS_CREDENTIALS_SYNCHRONIZED)
    agent = current.get(AGENT_CONNECTED)
    want_status = "True" if connected else "False"
    want_message = "" if connected else DISCONNECTED_MESSAGE
    if (
        synced is not None
        and synced.status == want_status
        and (synced.message or "") == want_message
        and (agent is not None) == connected
    ):
        return None
    kept = [c.to_api() for c in vmi.status.conditions if c.type not in CONDITION_TYPES]
    if connected:
        kept.append({"type": AGENT_CONNECTED, "status": "True", "lastProbeTime": at})
    synchronized: dict[str, Any] = {
        "type": ACCESS_CREDENTIALS_SYNCHRONIZED,
        "status": want_status,
        "lastTransitionTime": at,
    }
    if want_message:
        synchronized["message"] = want_message
    kept.append(synchronized)
    return kept
