"""Neutron bodies: the one network, the default security group, quotas."""

from __future__ import annotations

import uuid
from typing import Any

from kubenova_api.urls import PublicUrls

_NAMESPACE = uuid.UUID("2f1c8a6e-5a43-4c7e-9d0b-4b8e7a1f3c55")
CREATED = "2026-01-01T00:00:00Z"


def network_id(name: str) -> str:
    """Stable network id (same on every replica and across restarts)."""
    return str(uuid.uuid5(_NAMESPACE, f"network/{name}"))


def versions(urls: PublicUrls) -> dict[str, Any]:
    return {
        "versions": [
            {
                "id": "v2.0",
                "status": "CURRENT",
                "links": [{"rel": "self", "href": urls.network("v2.0") + "/"}],
            }
        ]
    }


def network(name: str) -> dict[str, Any]:
    return {
        "id": network_id(name),
        "name": name,
        "status": "ACTIVE",
        "subnets": [],
        "admin_state_up": True,
        "shared": True,
        "project_id": "",
        "tenant_id": "",
        "router:external": False,
        "is_default": True,
        "mtu": 1500,
        "port_security_enabled": True,
        "availability_zones": ["nova"],
        "availability_zone_hints": [],
        "description": "kubenova pod network",
        "tags": [],
        "revision_number": 1,
        "created_at": CREATED,
        "updated_at": CREATED,
    }


def default_security_group(project_id: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(_NAMESPACE, f"security-group/{project_id}/default")),
        "name": "default",
        "description": "Default security group",
        "project_id": project_id,
        "tenant_id": project_id,
        "security_group_rules": [],
        "stateful": True,
        "shared": False,
        "tags": [],
        "revision_number": 1,
        "created_at": CREATED,
        "updated_at": CREATED,
    }


def quota() -> dict[str, Any]:
    return {
        "quota": {
            "network": -1,
            "subnet": -1,
            "port": -1,
            "router": -1,
            "floatingip": 0,
            "security_group": -1,
            "security_group_rule": -1,
            "rbac_policy": -1,
        }
    }
