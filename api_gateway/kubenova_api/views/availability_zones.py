"""Availability zone representations, built as Nova builds them from the compute services.

A zone exists while a service is in it. It is *available* when at least one of its services is
enabled (Nova ignores up/down here); zones whose services are all disabled are listed after the
available ones, ``available: false``, without hosts. The detailed form lists, per available
zone, the enabled services by host with ``available`` = up and ``active`` = enabled. Nova puts
its non-compute services in the ``internal`` zone, which only the detailed form shows; kubenova
reports no such services (see ``views.services``), so there is no internal zone to show.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kubenova.domain.hosts import ComputeHost
from kubenova_api.views.keypairs import nova_time
from kubenova_api.views.services import BINARY

INTERNAL_ZONE = "internal"

Placed = tuple[ComputeHost, str]
"""A compute Node and its zone."""


def split_zones(placed: Iterable[Placed]) -> tuple[list[str], list[str]]:
    """Nova's ``get_availability_zones``: (available, not available) zone names, each sorted."""
    placed = list(placed)
    available = {zone for node, zone in placed if not node.disabled}
    unavailable = {zone for node, zone in placed if node.disabled} - available
    return sorted(available), sorted(unavailable)


def _entry(zone: str, available: bool, hosts: dict[str, Any] | None) -> dict[str, Any]:
    return {"zoneName": zone, "zoneState": {"available": available}, "hosts": hosts}


def summary(placed: Iterable[Placed]) -> dict[str, Any]:
    """``GET /os-availability-zone``."""
    available, unavailable = split_zones(placed)
    zones = [_entry(z, True, None) for z in available if z != INTERNAL_ZONE]
    zones += [_entry(z, False, None) for z in unavailable if z != INTERNAL_ZONE]
    return {"availabilityZoneInfo": zones}


def detail(placed: Iterable[Placed]) -> dict[str, Any]:
    """``GET /os-availability-zone/detail``."""
    placed = list(placed)
    available, unavailable = split_zones(placed)
    zones = []
    for zone in available:
        hosts: dict[str, Any] = {}
        for node, node_zone in sorted(placed, key=lambda p: p[0].name):
            if node_zone != zone or node.disabled:
                continue
            hosts[node.name] = {
                BINARY: {"available": node.is_up, "active": True, "updated_at": nova_time(node.heartbeat)}
            }
        zones.append(_entry(zone, True, hosts))
    zones += [_entry(z, False, None) for z in unavailable]
    return {"availabilityZoneInfo": zones}
