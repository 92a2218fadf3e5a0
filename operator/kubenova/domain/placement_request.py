"""Where a server asks to be placed: Nova's ``availability_zone`` (``zone[:host[:node]]``) and the
host an admin forces (``zone:host``, or 2.74's ``host``), held in ``spec.forcedHost``.

The gateway splits Nova's request into ``spec.availabilityZone`` (the zone) and ``spec.forcedHost``
(the host); a manifest may still write Nova's ``zone:host`` form, which is read here and only here.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubenova.resources.server import ServerSpec


@dataclass(frozen=True)
class RequestedPlacement:
    zone: str | None = None
    """The availability zone asked for (``None``: any)."""
    host: str | None = None
    """The host forced (``None``: the scheduler chooses)."""
    node: str | None = None
    """The node part of ``zone:host:node`` (kubenova hosts have one node of the host's name)."""

    @property
    def availability_zone(self) -> str | None:
        """The form Nova shows and stores for a request: ``zone`` or ``zone:host``."""
        if self.host is None:
            return self.zone
        return f"{self.zone or ''}:{self.host}"


def parse(availability_zone: str | None) -> RequestedPlacement:
    """Nova's ``zone[:host[:node]]`` (and ``zone::node``); empty parts mean "not given". A node
    alone forces the host of that name: a kubenova host has one node, named as the host."""
    if not availability_zone:
        return RequestedPlacement()
    zone, _, rest = availability_zone.partition(":")
    host, _, node = rest.partition(":")
    return RequestedPlacement(zone or None, host or node or None, node or None)


def parse_error(availability_zone: str | None) -> str | None:
    """Nova's refusal of an ``availability_zone`` it cannot parse (``None``: fine)."""
    if availability_zone and availability_zone.count(":") > 2:
        return "Unable to parse availability_zone"
    return None


def node_mismatch(requested: RequestedPlacement) -> str | None:
    """A ``zone:host:node`` whose node is not the host's own (``None``: fine)."""
    if requested.node is not None and requested.node != requested.host:
        return (
            f"Compute host {requested.host} and node {requested.node} do not match: "
            "kubenova hosts have one node of the same name."
        )
    return None


def of_spec(spec: ServerSpec) -> RequestedPlacement:
    """What ``spec`` asks for: ``forcedHost`` wins over a host written in ``availabilityZone``."""
    parsed = parse(spec.availability_zone)
    host = spec.forced_host or parsed.host
    return RequestedPlacement(parsed.zone, host, parsed.node if host == parsed.host else None)
