"""Public URLs of the gateway, built from the request so links work behind proxies and port-forwards.

Clients follow ``next`` links and Keystone's version ``self`` link as absolute URLs, so links
must name the host the client used: ``Settings.public_url`` when it pins the base, else the
``Host`` header, and ``X-Forwarded-Proto/Host/Port/Prefix`` only when the gateway is told to trust
them (``trust_proxy_headers``: behind a proxy that sets them; otherwise any client could rewrite
the catalog's URLs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

COMPUTE = "compute"
IDENTITY = "identity"
IMAGE = "image"
NETWORK = "network"
COMPUTE_VERSION = "v2.1"
COMPUTE_LEGACY_VERSION = "v2"  # Nova's legacy v2 endpoint: the v2.1 code in v2.0 compatibility
IDENTITY_VERSION = "v3"


def _first(value: str) -> str:
    return value.split(",", maxsplit=1)[0].strip()


def base_url_from_headers(
    headers: Mapping[str, str],
    *,
    scheme: str,
    server: str,
    public_url: str | None,
    trust_proxy_headers: bool = False,
) -> str:
    """The gateway root (no trailing slash) as the client sees it."""
    if public_url:
        return public_url.rstrip("/")
    if not trust_proxy_headers:
        return f"{scheme}://{headers.get('host', '') or server}"
    proto = _first(headers.get("x-forwarded-proto", "")) or scheme
    host = _first(headers.get("x-forwarded-host", "")) or headers.get("host", "") or server
    port = _first(headers.get("x-forwarded-port", ""))
    if port and ":" not in host.rsplit("]", 1)[-1]:
        default = (proto == "https" and port == "443") or (proto == "http" and port == "80")
        host = host if default else f"{host}:{port}"
    prefix = _first(headers.get("x-forwarded-prefix", "")).rstrip("/")
    return f"{proto}://{host}{prefix}"


@dataclass(frozen=True)
class PublicUrls:
    """Absolute URLs of each API family under one base; ``compute_version`` is the compute
    endpoint the request came in on (``v2.1``, or ``v2`` for the legacy endpoint), so links
    point back to it as Nova's do."""

    base: str
    compute_version: str = COMPUTE_VERSION

    def compute(self, *parts: str, versioned: bool = True) -> str:
        """``.../compute/v2.1/<parts>`` (or the unversioned bookmark form)."""
        root = f"{self.base}/{COMPUTE}/{self.compute_version}" if versioned else f"{self.base}/{COMPUTE}"
        return "/".join([root, *parts])

    def compute_endpoint(self, version: str) -> str:
        """``.../compute/<version>/`` (a version document's ``self``)."""
        return f"{self.base}/{COMPUTE}/{version}/"

    def identity(self, *parts: str) -> str:
        return "/".join([f"{self.base}/{IDENTITY}/{IDENTITY_VERSION}", *parts])

    def image(self, *parts: str) -> str:
        return "/".join([f"{self.base}/{IMAGE}", *parts])

    def network(self, *parts: str) -> str:
        return "/".join([f"{self.base}/{NETWORK}", *parts])

    def self_and_bookmark(self, collection: str, item_id: str) -> list[dict[str, str]]:
        """Nova's ``links`` of a resource: versioned self plus unversioned bookmark."""
        return [
            {"rel": "self", "href": self.compute(collection, item_id)},
            {"rel": "bookmark", "href": self.compute(collection, item_id, versioned=False)},
        ]
