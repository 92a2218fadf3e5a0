"""The simulator's guest-agent conditions (pure)."""

from __future__ import annotations

from typing import Any

from kubenova.kubevirt.models import VirtualMachineInstance
from kubevirt_simulator import guest_agent


def _vmi(conditions: list[dict[str, Any]] | None = None, credentials: bool = True) -> VirtualMachineInstance:
    spec: dict[str, Any] = {}
    if credentials:
        spec["accessCredentials"] = [
            {
                "userPassword": {
                    "source": {"secret": {"secretName": "s"}},
                    "propagationMethod": {"qemuGuestAgent": {}},
                }
            }
        ]
    return VirtualMachineInstance.model_validate({"spec": spec, "status": {"conditions": conditions or []}})


def _types(conditions: list[dict[str, Any]] | None) -> dict[str, str]:
    return {c["type"]: c["status"] for c in conditions or []}


def test_connected_agent_synchronizes() -> None:
    ready = {"type": "Ready", "status": "True"}
    got = guest_agent.conditions(_vmi([ready]), True, "t")
    assert _types(got) == {"Ready": "True", "AgentConnected": "True", "AccessCredentialsSynchronized": "True"}
    assert guest_agent.conditions(_vmi(got), True, "t2") is None  # unchanged: no write


def test_disconnected_agent_fails_synchronization() -> None:
    got = guest_agent.conditions(_vmi(), False, "t")
    assert _types(got) == {"AccessCredentialsSynchronized": "False"}
    assert got is not None
    assert got[0]["message"] == guest_agent.DISCONNECTED_MESSAGE
    back = guest_agent.conditions(_vmi(got), True, "t2")
    assert _types(back) == {"AgentConnected": "True", "AccessCredentialsSynchronized": "True"}


def test_vmis_without_agent_credentials_get_nothing() -> None:
    assert guest_agent.conditions(_vmi(credentials=False), True, "t") is None


def test_the_node_annotation() -> None:
    assert guest_agent.connected_on(None)
    assert guest_agent.connected_on({"metadata": {"annotations": {}}})
    knob = {guest_agent.GUEST_AGENT_ANNOTATION: "disconnected"}
    assert not guest_agent.connected_on({"metadata": {"annotations": knob}})
