"""What a ``POST /servers`` asks for, checked as Nova checks it, as Server objects to create.

Not a router: ``routers/servers.py`` calls ``plan`` and writes what it returns. Everything a
create can be refused for is decided here, before anything is written (Nova's 400s for
references, 403s for policy and quota), so a refused create leaves nothing behind.

kubenova boots from images only: ``imageRef`` and/or one image→local block device (what
``openstack server create --image`` sends), no volumes. There is one network (the gateway's
Neutron network), so ``networks`` may be ``auto``, ``none``, or name that network.
"""

from __future__ import annotations

import re
import secrets
import string
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from kubenova.resources import Flavor, Image
from kubenova.resources.server import InstanceAction, SchedulerHints, ServerSpec
from kubenova_api import errors, policy
from kubenova_api.context import RequestContext
from kubenova_api.image.routes import visible as image_visible
from kubenova_api.network import views as network_views
from kubenova_api.routers.flavors import can_see as flavor_visible
from kubenova_api.schemas.servers import (
    BlockDevice,
    NetworkRequest,
    ServerCreate,
    ServerCreateRequest,
    parse_hints,
)
from kubenova_api.settings import Settings
from kubenova_api.store import Store, naming
from kubenova_api.store import servers as nova

_P = "os_compute_api:servers:"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")
ADMIN_PASS_LENGTH = 12
_INVALID_BDM = "Block Device Mapping is Invalid: "


@dataclass(frozen=True)
class ServerPlan:
    """One Server object to create."""

    spec: dict[str, Any]
    annotations: dict[str, str]
    generate_name: str


@dataclass
class CreatePlan:
    """Everything a create writes and answers."""

    servers: list[ServerPlan] = field(default_factory=list)
    admin_pass: str = ""
    security_groups: list[str] | None = None
    reservation_id: str = ""
    return_reservation_id: bool = False


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


def _image(ctx: RequestContext, store: Store, server: ServerCreate) -> Image:
    image_id = _boot_image_id(server)
    image = store.images.find(image_id)
    if image is None or not image_visible(ctx, image):
        raise errors.BadRequestError("Can not find requested image")
    if (image.status.status or "active") != "active":
        raise errors.BadRequestError(f"Image {image_id} is not active.")
    return image


def _flavor(ctx: RequestContext, store: Store, server: ServerCreate, image: Image) -> Flavor:
    flavor_id = id_from_ref(str(server.flavor_ref))
    flavor = store.flavors.find(flavor_id)
    if flavor is None or not flavor_visible(ctx, flavor):
        raise errors.BadRequestError(f"Flavor {flavor_id} could not be found.")
    if image.spec.min_ram and flavor.spec.ram < image.spec.min_ram:
        raise errors.BadRequestError("Flavor's memory is too small for requested image.")
    if image.spec.min_disk and flavor.spec.disk and flavor.spec.disk < image.spec.min_disk:
        raise errors.BadRequestError("Flavor's disk is too small for requested image.")
    return flavor


def _networks(server: ServerCreate, settings: Settings) -> Literal["auto", "none"]:
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


def _security_groups(ctx: RequestContext, server: ServerCreate) -> list[str] | None:
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


def available_zones(store: Store, settings: Settings) -> set[str]:
    """Zones with at least one enabled compute host (Nova's "available" zones)."""
    return {
        store.aggregates.zone_of(node.name, settings.default_availability_zone)
        for node in store.nodes.all()
        if not node.disabled
    }


def _zone(ctx: RequestContext, store: Store, settings: Settings, server: ServerCreate) -> str | None:
    """``spec.availabilityZone``: ``zone``, or ``zone:host`` when a host is forced (admins)."""
    zone, _, rest = (server.availability_zone or "").partition(":")
    host = rest.partition(":")[0] or None
    if host is not None:
        policy.authorize(ctx, _P + "create:forced_host", project_id=ctx.project_id)
    requested = server.host or server.hypervisor_hostname
    if requested is not None:
        policy.authorize(ctx, _P + "create:requested_destination", project_id=ctx.project_id)
        if server.host and server.hypervisor_hostname and server.host != server.hypervisor_hostname:
            raise errors.BadRequestError(
                f"Compute host {server.host} and node {server.hypervisor_hostname} do not match: "
                "kubenova hosts have one node of the same name."
            )
        if host is not None and host != requested:
            raise errors.BadRequestError("The host in availability_zone and the host parameter differ.")
        host = requested
    if host is not None and store.nodes.get(host) is None:
        raise errors.BadRequestError(f"Compute host {host} could not be found.")
    if zone and zone not in available_zones(store, settings):
        raise errors.BadRequestError("The requested availability zone is not available")
    if host is not None:
        return f"{zone}:{host}"
    return zone or None


def _counts(server: ServerCreate) -> tuple[int, int]:
    min_count = server.min_count if isinstance(server.min_count, int) else 1
    max_count = server.max_count if isinstance(server.max_count, int) else min_count
    if min_count > max_count:
        raise errors.BadRequestError("min_count must be <= max_count")
    return min_count, max_count


def _count_within_quota(
    ctx: RequestContext, store: Store, settings: Settings, flavor: Flavor, *, counts: tuple[int, int]
) -> int:
    """Nova's multi-create quota rule: as many as fit up to ``max_count``, at least ``min_count``."""
    min_count, max_count = counts

    def check(count: int) -> None:
        store.quotas.check_quota(
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


def _check_metadata_quota(ctx: RequestContext, store: Store, settings: Settings, count: int) -> None:
    limit = store.quotas.limits(ctx.project_id or "", settings.quotas)["metadata_items"]
    if 0 <= limit < count:
        raise errors.QuotaExceededError(f"Maximum number of metadata items exceeds {limit}")


def _refuse_unsupported(server: ServerCreate) -> None:
    if server.personality:
        raise errors.BadRequestError("Personality files are not supported; use user_data (cloud-init).")
    if server.trusted_image_certificates:
        raise errors.BadRequestError("Image certificate validation is not supported.")


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def plan(
    request: ServerCreateRequest,
    *,
    ctx: RequestContext,
    store: Store,
    settings: Settings,
) -> CreatePlan:
    """The servers ``request`` creates, or the error Nova answers it with."""
    server = request.server
    _refuse_unsupported(server)
    image = _image(ctx, store, server)
    flavor = _flavor(ctx, store, server, image)
    if server.key_name is not None and store.keypairs.resolve(ctx.user_id, server.key_name) is None:
        raise errors.BadRequestError("Invalid key_name provided.")
    networks = _networks(server, settings)
    groups = _security_groups(ctx, server)
    zone = _zone(ctx, store, settings, server)
    hints, stored_hints = parse_hints(
        {**(request.os_scheduler_hints or {}), **(request.scheduler_hints or {})}
    )
    _check_metadata_quota(ctx, store, settings, len(server.metadata))
    min_count, max_count = _counts(server)
    if server.hostname is not None and max_count > 1:
        raise errors.BadRequestError("Cannot specify a hostname when creating more than one server.")
    count = _count_within_quota(ctx, store, settings, flavor, counts=(min_count, max_count))

    result = CreatePlan(
        admin_pass=server.admin_pass or _random(string.ascii_letters + string.digits, ADMIN_PASS_LENGTH),
        security_groups=groups if groups is not None else ["default"],
        reservation_id="r-" + _random(string.ascii_lowercase + string.digits, 8),
        return_reservation_id=bool(server.return_reservation_id),
    )
    scheduler_hints = (
        SchedulerHints(group=hints.group, same_host=hints.same_host, different_host=hints.different_host)
        if hints.group or hints.same_host or hints.different_host
        else None
    )
    shared: dict[str, str] = {nova.RESERVATION_ID_ANNOTATION: result.reservation_id}
    if stored_hints:
        shared[nova.SCHEDULER_HINTS_ANNOTATION] = nova.encode_json(stored_hints)
    for key, value in (
        (nova.ACCESS_IPV4_ANNOTATION, server.access_ipv4),
        (nova.ACCESS_IPV6_ANNOTATION, server.access_ipv6),
        (nova.DISK_CONFIG_ANNOTATION, server.disk_config),
    ):
        if value:
            shared[key] = value
    for index in range(count):
        name = f"{server.name}-{index + 1}" if count > 1 else server.name
        spec = ServerSpec(
            name=name,
            flavor=flavor.metadata.name,
            image=image.metadata.name,
            key_name=server.key_name,
            availability_zone=zone,
            user_data=server.user_data,
            config_drive=bool(server.config_drive),
            metadata=dict(server.metadata),
            description=server.description,
            tags=list(dict.fromkeys(server.tags or [])),
            scheduler_hints=scheduler_hints,
            networks=networks,
            user_id=ctx.user_id,
        )
        hostname = server.hostname or sanitize_hostname(name)
        action = InstanceAction(
            action="create", request_id=ctx.request_id, user_id=ctx.user_id, start_time=nova.now()
        )
        annotations = {
            **shared,
            nova.LAUNCH_INDEX_ANNOTATION: str(index),
            nova.CREATED_ANNOTATION: nova.precise_now(),
            nova.HOSTNAME_ANNOTATION: hostname or f"server-{uuid.uuid4().hex[:8]}",
            **nova.action_annotations(None, action, for_operator=True),
        }
        generate = naming.slug(name, max_length=40)
        result.servers.append(
            ServerPlan(spec.to_api(), annotations, f"{generate}-" if generate else "server-")
        )
    return result
