"""``POST /servers``: the Server objects a create asks for, written all or nothing.

Everything a create can be refused for is decided first (``server_create_checks``), so a refused
create leaves nothing behind. Each Server carries its create request in the inbox (the operator
records it as the ``create`` action) and the operator's finalizer from the start (saving the
operator a write). The requested placement is typed: the zone in ``spec.availabilityZone``, a
forced host in ``spec.forcedHost``.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import string
import uuid
from dataclasses import dataclass, field
from typing import Any

from kubenova.domain import names
from kubenova.resources import Server
from kubenova.resources.server import SchedulerHints, ServerSpec
from kubenova_api import errors, policy
from kubenova_api.compute import inbox, server_groups
from kubenova_api.compute import server_create_checks as checks
from kubenova_api.context import RequestContext
from kubenova_api.schemas.server_hints import parse_hints
from kubenova_api.schemas.servers import ServerCreate, ServerCreateRequest
from kubenova_api.settings import Settings
from kubenova_api.store import Store, naming

_P = "os_compute_api:servers:"
ADMIN_PASS_LENGTH = 12


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


@dataclass(frozen=True)
class Created:
    """What a create wrote, and what its answer shows."""

    servers: list[Server]
    plan: CreatePlan


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _encode_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _shared_annotations(
    server: ServerCreate, reservation_id: str, hints: dict[str, list[str]]
) -> dict[str, str]:
    """The annotations every Server of one create carries (Nova attributes without a spec field)."""
    shared: dict[str, str] = {names.RESERVATION_ID_ANNOTATION: reservation_id}
    if hints:
        shared[names.SCHEDULER_HINTS_ANNOTATION] = _encode_json(hints)
    for key, value in (
        (names.ACCESS_IPV4_ANNOTATION, server.access_ipv4),
        (names.ACCESS_IPV6_ANNOTATION, server.access_ipv6),
        (names.DISK_CONFIG_ANNOTATION, server.disk_config),
    ):
        if value:
            shared[key] = value
    return shared


def plan(
    request: ServerCreateRequest, *, ctx: RequestContext, store: Store, settings: Settings
) -> CreatePlan:
    """The servers ``request`` creates, or the error Nova answers it with."""
    server = request.server
    checks.refuse_unsupported(server)
    image = checks.image(ctx, store, server)
    flavor = checks.flavor(ctx, store, server, image)
    if server.key_name is not None and store.keypairs.resolve(ctx.user_id, server.key_name) is None:
        raise errors.BadRequestError("Invalid key_name provided.")
    networks = checks.networks(server, settings)
    groups = checks.security_groups(ctx, server)
    placement = checks.placement(ctx, store, settings, server)
    hints, stored_hints = parse_hints(
        {**(request.os_scheduler_hints or {}), **(request.scheduler_hints or {})}
    )
    checks.check_metadata_quota(ctx, store, settings, len(server.metadata))
    min_count, max_count = checks.counts(server)
    if server.hostname is not None and max_count > 1:
        raise errors.BadRequestError("Cannot specify a hostname when creating more than one server.")
    group = server_groups.find_hinted(store, ctx, hints.group)
    count = checks.count_within_quota(ctx, store, settings, flavor, wanted=(min_count, max_count))
    server_groups.check_members_quota(store, ctx, settings, group, count)

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
    shared = _shared_annotations(server, result.reservation_id, stored_hints)
    if count > 1:  # the operator builds none of them before it has seen all (all or nothing)
        shared[names.RESERVATION_SIZE_ANNOTATION] = str(count)
    for index in range(count):
        name = f"{server.name}-{index + 1}" if count > 1 else server.name
        spec = ServerSpec(
            name=name,
            flavor=flavor.metadata.name,
            image=image.metadata.name,
            key_name=server.key_name,
            availability_zone=placement.zone,
            forced_host=placement.host,
            user_data=server.user_data,
            config_drive=bool(server.config_drive),
            metadata=dict(server.metadata),
            description=server.description,
            tags=list(dict.fromkeys(server.tags or [])),
            scheduler_hints=scheduler_hints,
            networks=networks,
            user_id=ctx.user_id,
        )
        hostname = server.hostname or checks.sanitize_hostname(name)
        annotations = {
            **shared,
            names.LAUNCH_INDEX_ANNOTATION: str(index),
            names.CREATED_ANNOTATION: inbox.precise_now(),
            names.HOSTNAME_ANNOTATION: hostname or f"server-{uuid.uuid4().hex[:8]}",
            **inbox.appended(None, inbox.new_request(ctx, "create")),
        }
        generate = naming.slug(name, max_length=40)
        result.servers.append(
            ServerPlan(spec.to_api(), annotations, f"{generate}-" if generate else "server-")
        )
    return result


async def create(
    request: ServerCreateRequest, *, ctx: RequestContext, store: Store, settings: Settings
) -> Created:
    """Check, then write every Server of the request (Nova creates all of a multi-create or none)."""
    policy.authorize(ctx, _P + "create", project_id=ctx.project_id)
    if ctx.namespace is None:
        raise errors.BadRequestError("Servers are created in a project: use a project-scoped token.")
    planned = plan(request, ctx=ctx, store=store, settings=settings)
    created: list[Server] = []
    try:
        for item in planned.servers:
            created.append(
                await store.servers.create_server(
                    namespace=ctx.namespace,
                    generate_name=item.generate_name,
                    spec=item.spec,
                    annotations=item.annotations,
                    finalizers=[names.SERVER_FINALIZER],
                )
            )
    except errors.GatewayError:
        # Undo the part that was written (the operator takes the finalizer off as it deletes).
        for server in created:
            with contextlib.suppress(errors.GatewayError):
                await store.servers.delete_server(server)
        raise
    return Created(created, planned)
