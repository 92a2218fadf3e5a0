"""Pure: what a Server asks for, in the scheduler's and the action record's terms."""

from __future__ import annotations

import uuid

from kubenova.resources.flavor import Flavor
from kubenova.resources.image import Image
from kubenova.resources.server import EmbeddedFlavor, Server
from kubenova.scheduler.request_spec import RequestSpec

REQUEST_ID_ANNOTATION = "compute.kubenova.io/request-id"
"""A client (the gateway, or a user with kubectl) may set this with a spec change: the id of
that request, recorded in ``status.actions``. Without it the operator generates one."""


def request_id(server: Server) -> str:
    """The request id for a new action on ``server``.

    The annotation is used only if no recorded action has it yet: it outlives the change it came
    with, and two actions must never share an id.
    """
    annotated = server.metadata.annotations.get(REQUEST_ID_ANNOTATION)
    if annotated and all(action.request_id != annotated for action in server.status.actions):
        return annotated
    return f"req-{uuid.uuid4()}"


def embedded_flavor(flavor: Flavor) -> EmbeddedFlavor:
    """The flavor as embedded in the server at build time (later edits do not apply)."""
    spec = flavor.spec
    return EmbeddedFlavor(
        id=flavor.flavor_id,
        name=flavor.display_name,
        vcpus=spec.vcpus,
        ram=spec.ram,
        disk=spec.disk,
        ephemeral=spec.ephemeral,
        swap=spec.swap,
        extra_specs=dict(spec.extra_specs),
    )


def parse_zone(value: str | None) -> tuple[str | None, str | None]:
    """Nova's ``zone[:host[:node]]`` → (zone, forced host); empty parts mean "not given"."""
    if not value:
        return None, None
    zone, _, rest = value.partition(":")
    host = rest.partition(":")[0]
    return zone or None, host or None


def request_spec(server: Server, flavor: EmbeddedFlavor, image: Image) -> RequestSpec:
    """The scheduler's view of ``server`` built with ``flavor`` from ``image``."""
    zone, forced_host = parse_zone(server.spec.availability_zone)
    hints = server.spec.scheduler_hints
    return RequestSpec(
        instance_uid=server.server_id,
        project_id=server.metadata.namespace or "",
        vcpus=flavor.vcpus,
        memory_mb=flavor.ram,
        # A flavor without a root disk size boots at the image's size: count its minimum.
        root_gb=flavor.disk or image.spec.min_disk,
        ephemeral_gb=flavor.ephemeral,
        swap_mb=flavor.swap,
        availability_zone=zone,
        forced_host=forced_host,
        flavor_extra_specs=dict(flavor.extra_specs),
        image_properties=dict(image.spec.properties),
        same_host=frozenset(hints.same_host) if hints else frozenset(),
        different_host=frozenset(hints.different_host) if hints else frozenset(),
    )


def image_fit_error(flavor: EmbeddedFlavor, image: Image) -> str | None:
    """Nova's refusal when the flavor is smaller than the image needs, else ``None``."""
    if image.spec.min_ram and flavor.ram < image.spec.min_ram:
        return "Flavor's memory is too small for requested image."
    if image.spec.min_disk and flavor.disk and flavor.disk < image.spec.min_disk:
        return "Flavor's disk is too small for requested image."
    return None
