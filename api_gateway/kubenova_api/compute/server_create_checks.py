"""What a ``POST /servers`` can be refused for, checked as Nova checks it (its 400s for
references, 403s for policy and quota), before anything is written.

kubenova boots from images only: ``imageRef`` and/or one image→local block device (what
``openstack server create --image`` sends), no volumes. There is one network (the gateway's
Neutron network), so ``networks`` may be ``auto``, ``none``, or name that network.
"""

from __future__ import annotations

import re
from typing import Literal

from kubenova.domain import flavors, guest_shape, placement_request
from kubenova.domain.placement_request import RequestedPlacement
from kubenova.resources import Flavor, Image
from kubenova_api import errors, policy
from kubenova_api.compute import access, quotas, zones
from kubenova_api.context import RequestContext
from kubenova_api.network import views as network_views
from kubenova_api.schemas.servers import BlockDevice, NetworkRequest, ServerCreate
from kubenova_api.settings import Settings
from kubenova_api.store import Store

_P = "os_compute_api:servers:"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")
_INVALID_BDM = "Block Device Mapping is Invalid: "


def id_from_ref(ref: str) -> str:
    """An id, or the last path segment of a URL naming one (Nova's ``get_id_from_href``)."""
    return ref.rstrip("/").rsplit("/", 1)[-1]


def sanitize_hostname(name: str) -> str:
    """Nova's hostname from a display name: a lowercase DNS label (``Server-<n>`` if nothing is left)."""
    hostname = re.sub(r"[ _.]", "-", name)
    hostname = re.sub(r"[^\w.-]+", "", hostname, flags=re.ASCII).lower().strip(".-")
    return hostname[:63].strip("-")


def _boot_image_id(server: ServerCreate) -> str:
    """The Glance id to boot from: ``imageRef`` and/or the image→local boot device."""
    if server.block_device_mapping:
        raise errors.BadRequestError(
            _INVALID_BDM + "block_device_mapping (v1) maps volumes; kubenova boots from images only."
        )
    devices: list[BlockDevice] = server.block_device_mapping_v2 or []
    for device in devices:
        if device.destination_type == "volume" or device.source_type in ("volume", "snapshot"):
            raise errors.BadRequestError(
                _INVALID_BDM + "kubenova has no block storage service; only image→local boot devices "
                "(and blank local disks) are supported."
            )
    boot = [d for d in devices if d.source_type == "image"]
    if len(boot) > 1:
        raise errors.BadRequestError(_INVALID_BDM + "only one image may be mapped.")
    image_ref = id_from_ref(server.image_ref) if server.image_ref else ""
    if boot:
        mapped = boot[0].uuid or boot[0].image_id or ""
        if image_ref and mapped and mapped != image_ref:
            raise errors.BadRequestError(_INVALID_BDM + "the boot device's image differs from imageRef.")
        image_ref = image_ref or mapped
    if not image_ref:
        raise errors.BadRequestError(
            _INVALID_BDM + "Boot sequence for the instance and image/block device mapping combination "
            "is not valid."
        )
    if not _UUID.match(image_ref):
        raise errors.BadRequestError("Invalid imageRef provided.")
    return image_ref


def image(ctx: RequestContext, store: Store, server: ServerCreate) -> Image:
    """The image to boot from: it exists, the caller may see it, and it is active."""
    image_id = _boot_image_id(server)
    found = store.images.find(image_id)
    if found is None or not access.image_visible(ctx, found):
        raise errors.BadRequestError("Can not find requested image")
    if (found.status.status or "active") != "active":
        raise errors.BadRequestError(f"Image {image_id} is not active.")
    return found


def flavor(ctx: RequestContext, store: Store, server: ServerCreate, image: Image) -> Flavor:
    """The flavor: it exists, the caller may see it, and the image fits it (``domain.flavors``)."""
    flavor_id = id_from_ref(str(server.flavor_ref))
    found = store.flavors.find(flavor_id)
    if found is None or not access.flavor_visible(ctx, found):
        raise errors.BadRequestError(f"Flavor {flavor_id} could not be found.")
    refusal = flavors.image_fit_error(flavors.embed(found), image) or guest_shape.api_refusal(
        found.spec.vcpus, found.spec.extra_specs, image.spec.properties
    )
    if refusal is not None:
        raise errors.BadRequestError(refusal)
    return found


def networks(server: ServerCreate, settings: Settings) -> Literal["auto", "none"]:
    """``auto`` or ``none`` (the spec's values) from Nova's ``networks``."""
    requested = server.networks
    if requested is None or requested == "auto":
        return "auto"
    if requested == "none":
        return "none"
    our_network = network_views.network_id(settings.network_name)
    for entry in requested:
        _check_network(entry, our_network)
    return "auto"


def _check_network(entry: NetworkRequest, our_network: str) -> None:
    if entry.port is not None:
        raise errors.BadRequestError(f"Port {entry.port} could not be found.")
    if entry.uuid is None:
        raise errors.BadRequestError("Bad networks format: network uuid is not in proper format")
    if entry.uuid != our_network:
        raise errors.BadRequestError(f"Network {entry.uuid} could not be found.")
    if entry.fixed_ip is not None:
        raise errors.BadRequestError(
            "Fixed IP addresses cannot be requested: the pod network assigns addresses."
        )


def security_groups(ctx: RequestContext, server: ServerCreate) -> list[str] | None:
    """The requested groups (echoed in the answer); only the project's ``default`` group exists."""
    if server.security_groups is None:
        return None
    default_id = network_views.default_security_group(ctx.project_id or "")["id"]
    names = []
    for group in server.security_groups:
        if group.name not in ("default", default_id):
            raise errors.BadRequestError(f"Security group {group.name} not found.")
        names.append(group.name)
    return names


def placement(
    ctx: RequestContext, store: Store, settings: Settings, server: ServerCreate
) -> RequestedPlacement:
    """The zone and the forced host asked for (``zone:host``, admins; or 2.74's ``host``)."""
    unparsable = placement_request.parse_error(server.availability_zone)
    if unparsable is not None:
        raise errors.BadRequestError(unparsable)
    requested = placement_request.parse(server.availability_zone)
    zone, host = requested.zone, requested.host  # ``zone::node`` forces the node's host
    if host is not None:
        policy.authorize(ctx, _P + "create:forced_host", project_id=ctx.project_id)
        mismatch = placement_request.node_mismatch(requested)
        if mismatch is not None:
            raise errors.BadRequestError(mismatch)
    destination = server.host or server.hypervisor_hostname
    if destination is not None:
        policy.authorize(ctx, _P + "create:requested_destination", project_id=ctx.project_id)
        if server.host and server.hypervisor_hostname and server.host != server.hypervisor_hostname:
            raise errors.BadRequestError(
                f"Compute host {server.host} and node {server.hypervisor_hostname} do not match: "
                "kubenova hosts have one node of the same name."
            )
        if host is not None and host != destination:
            raise errors.BadRequestError("The host in availability_zone and the host parameter differ.")
        host = destination
    if host is not None and store.nodes.get(host) is None:
        raise errors.BadRequestError(f"Compute host {host} could not be found.")
    if zone and zone not in zones.available(store, settings.default_availability_zone):
        raise errors.BadRequestError("The requested availability zone is not available")
    return RequestedPlacement(zone=zone, host=host)


def counts(server: ServerCreate) -> tuple[int, int]:
    min_count = server.min_count if isinstance(server.min_count, int) else 1
    max_count = server.max_count if isinstance(server.max_count, int) else min_count
    if min_count > max_count:
        raise errors.BadRequestError("min_count must be <= max_count")
    return min_count, max_count


def count_within_quota(
    ctx: RequestContext, store: Store, settings: Settings, flavor: Flavor, *, wanted: tuple[int, int]
) -> int:
    """Nova's multi-create quota rule: as many as fit up to ``max_count``, at least ``min_count``."""
    min_count, max_count = wanted

    def check(count: int) -> None:
        quotas.check(
            store,
            ctx.project_id or "",
            namespace=ctx.namespace,
            settings_defaults=settings.quotas,
            instances=count,
            cores=count * flavor.spec.vcpus,
            ram=count * flavor.spec.ram,
        )

    for count in range(max_count, min_count, -1):
        try:
            check(count)
        except errors.QuotaExceededError:
            continue
        return count
    check(min_count)  # raises Nova's message for what was asked at least
    return min_count


def check_metadata_quota(ctx: RequestContext, store: Store, settings: Settings, count: int) -> None:
    limit = store.quotas.limits(ctx.project_id or "", settings.quotas)["metadata_items"]
    if 0 <= limit < count:
        raise errors.QuotaExceededError(f"Maximum number of metadata items exceeds {limit}")


def refuse_unsupported(server: ServerCreate) -> None:
    if server.personality:
        raise errors.BadRequestError("Personality files are not supported; use user_data (cloud-init).")
    if server.trusted_image_certificates:
        raise errors.BadRequestError("Image certificate validation is not supported.")
