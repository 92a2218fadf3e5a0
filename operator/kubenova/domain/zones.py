"""Aggregates as zones: which availability zone a host is in (Nova's aggregate-based zones).

A host is in the zone of the first zoned Aggregate (by display name) that lists it, else in the
default zone. Nova refuses to put a host in two zones; Aggregates are plain objects here, so a
conflict can exist: ``zone_of`` resolves it deterministically and ``conflicting_zones`` reports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kubenova.resources.aggregate import Aggregate


@dataclass(frozen=True)
class AggregateInfo:
    """One Aggregate as the rules see it: name, zone (if it is one), member hosts and metadata."""

    name: str
    availability_zone: str | None
    hosts: frozenset[str]
    metadata: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_resource(cls, aggregate: Aggregate) -> AggregateInfo:
        return cls(
            name=aggregate.display_name,
            availability_zone=aggregate.spec.availability_zone,
            hosts=frozenset(aggregate.spec.hosts),
            metadata=dict(aggregate.spec.metadata),
        )


def zones_holding(host: str, aggregates: Iterable[AggregateInfo]) -> list[str]:
    """The zones of the aggregates that list ``host``, in the order that decides (by name)."""
    member_of = sorted((a for a in aggregates if host in a.hosts), key=lambda a: a.name)
    return [a.availability_zone for a in member_of if a.availability_zone]


def zone_of(host: str, aggregates: Iterable[AggregateInfo], default_zone: str) -> str:
    """The availability zone ``host`` is in."""
    zones = zones_holding(host, aggregates)
    return zones[0] if zones else default_zone


def conflicting_zones(host: str, aggregates: Iterable[AggregateInfo]) -> list[str]:
    """The distinct zones ``host`` is put in, when there is more than one (else empty)."""
    distinct = sorted(set(zones_holding(host, aggregates)))
    return distinct if len(distinct) > 1 else []
