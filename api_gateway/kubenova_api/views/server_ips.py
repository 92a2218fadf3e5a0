"""``/servers/{id}/ips`` bodies: plain addresses (version and addr only, as Nova's ips view)."""

from __future__ import annotations

from typing import Any

from kubenova.resources import Server
from kubenova_api.views.servers import addresses


def index(server: Server) -> dict[str, Any]:
    return {"addresses": addresses(server, extended=False)}


def network(server: Server, label: str) -> dict[str, Any] | None:
    """``{label: [...]}``, or ``None`` when the server has no address on that network."""
    found = addresses(server, extended=False).get(label)
    return {label: found} if found is not None else None
