"""Availability zones of compute hosts, by the one rule (``kubenova.domain.zones``) the operator's
scheduler and Node labels use: the zone of the first zoned Aggregate (by name) listing the host,
else the default zone (``Settings.default_availability_zone``, "nova")."""

from __future__ import annotations

from kubenova.domain import zones
from kubenova.domain.hosts import ComputeHost
from kubenova.domain.zones import AggregateInfo
from kubenova_api.store import Store


def aggregate_infos(store: Store) -> list[AggregateInfo]:
    return [AggregateInfo.from_resource(a) for a in store.aggregates.all()]


def zone_of(store: Store, host: str, default_zone: str) -> str:
    """The zone ``host`` is in."""
    return zones.zone_of(host, aggregate_infos(store), default_zone)


def placed(store: Store, default_zone: str) -> list[tuple[ComputeHost, str]]:
    """Every compute host with its zone."""
    infos = aggregate_infos(store)
    return [(node, zones.zone_of(node.name, infos, default_zone)) for node in store.nodes.all()]


def available(store: Store, default_zone: str) -> set[str]:
    """Zones with at least one enabled compute host (Nova's "available" zones)."""
    return {zone for node, zone in placed(store, default_zone) if not node.disabled}
