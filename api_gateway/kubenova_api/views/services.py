"""Compute service representations: one ``nova-compute`` per compute Node.

``id`` is an integer below 2.53 and the Node uid from 2.53; ``forced_down`` appears from 2.11.
``updated_at`` is the Node's last heartbeat (its Ready condition), in Nova's naive format.

kubenova lists no ``nova-scheduler``/``nova-conductor``: the operator does their work but
publishes no heartbeat the gateway could report honestly as up or down.
"""

from __future__ import annotations

from typing import Any

from kubenova.domain.hosts import ComputeHost
from kubenova_api.microversions import APIVersion
from kubenova_api.views.keypairs import nova_time

BINARY = "nova-compute"


def service_id(node: ComputeHost, version: APIVersion) -> str | int:
    return node.uid if version >= "2.53" else node.legacy_id


def service(node: ComputeHost, zone: str, version: APIVersion) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": service_id(node, version),
        "binary": BINARY,
        "host": node.name,
        "zone": zone,
        "status": "disabled" if node.disabled else "enabled",
        "state": "up" if node.is_up else "down",
        "updated_at": nova_time(node.heartbeat),
        "disabled_reason": node.disabled_reason,
    }
    if version >= "2.11":
        body["forced_down"] = node.forced_down
    return body


def legacy_status(node: ComputeHost, *, reason: str | None) -> dict[str, Any]:
    """The answer of the pre-2.53 ``enable``/``disable``/``disable-log-reason`` actions."""
    body: dict[str, Any] = {
        "host": node.name,
        "binary": BINARY,
        "status": "disabled" if node.disabled else "enabled",
    }
    if reason:
        body["disabled_reason"] = reason
    return {"service": body}


def legacy_forced_down(node: ComputeHost) -> dict[str, Any]:
    """The answer of the pre-2.53 ``force-down`` action."""
    return {"service": {"host": node.name, "binary": BINARY, "forced_down": node.forced_down}}
