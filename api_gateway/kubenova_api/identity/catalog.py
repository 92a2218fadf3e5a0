"""The service catalog in tokens: compute, identity, image and network, all three interfaces."""

from __future__ import annotations

import uuid
from typing import Any

from kubenova_api.urls import PublicUrls

_ID_NAMESPACE = uuid.UUID("0c6f4d36-1d0e-4c9a-8f0e-2b3c4d5e6f70")
INTERFACES = ("public", "internal", "admin")


def _id(*parts: str) -> str:
    return uuid.uuid5(_ID_NAMESPACE, "/".join(parts)).hex


def services(urls: PublicUrls) -> list[tuple[str, str, str]]:
    """(type, name, url) per service. Compute without project id (fine since 2.18); identity
    versioned so keystoneauth skips a discovery round trip; image and network unversioned."""
    return [
        ("compute", "nova", urls.compute()),
        ("identity", "keystone", urls.identity()),
        ("image", "glance", urls.image()),
        ("network", "neutron", urls.network()),
    ]


def catalog(urls: PublicUrls, region: str) -> list[dict[str, Any]]:
    entries = []
    for service_type, name, url in services(urls):
        endpoints = [
            {
                "id": _id(service_type, interface),
                "interface": interface,
                "region_id": region,
                "region": region,
                "url": url,
            }
            for interface in INTERFACES
        ]
        entries.append({"type": service_type, "name": name, "id": _id(service_type), "endpoints": endpoints})
    return entries
