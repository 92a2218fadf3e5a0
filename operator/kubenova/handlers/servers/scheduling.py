"""Scheduling a Server: what it asks of the nova-scheduler (``request_spec``) and the one status
write that persists the answer (``schedule``): BUILD/spawning with host, zone, embedded flavor and
image id, or ERROR with NoValidHost, or ERROR with Nova's "Quota exceeded" fault when the project's
placed servers leave no room (the quota recheck, decided under the ledger's lock: docs/security.md).

A request nothing can take yet may be waiting for a Node or Aggregate created a moment before the
Server (the watch has not shown it): while the Server is younger than the grace period for
missing references, NoValidHost is retried whenever the view changes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from datetime import UTC, datetime

from kubenova import status
from kubenova.domain import flavors, placement_request, quotas, server_groups
from kubenova.handlers import quota_limits
from kubenova.handlers.cluster_view import ClusterView
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import ledger, writer
from kubenova.resources.image import Image
from kubenova.resources.server import EmbeddedFlavor, Server
from kubenova.resources.states import VmState
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.server_group import GroupSpec
from kubenova.status import operations


def request_spec(server: Server, flavor: EmbeddedFlavor, image: Image) -> RequestSpec:
    """The scheduler's view of ``server`` built with ``flavor`` from ``image``."""
    wanted = placement_request.of_spec(server.spec)
    hints = server.spec.scheduler_hints
    return RequestSpec(
        instance_uid=server.server_id,
        project_id=server.metadata.namespace or "",
        vcpus=flavor.vcpus,
        memory_mb=flavor.ram,
        root_gb=flavors.root_gb(flavor, image),
        ephemeral_gb=flavor.ephemeral,
        swap_mb=flavor.swap,
        availability_zone=wanted.zone,
        forced_host=wanted.host,
        flavor_extra_specs=dict(flavor.extra_specs),
        image_properties=dict(image.spec.properties),
        image_id=image.image_id,
        same_host=frozenset(hints.same_host) if hints else frozenset(),
        different_host=frozenset(hints.different_host) if hints else frozenset(),
    )


def with_group(spec: RequestSpec, view: ClusterView, server: Server) -> RequestSpec:
    """``spec`` with the server's group (policy, rules, the other members by id) as the view has
    it now; called by the ledger under its lock, so a member placed a moment before is seen.
    A group gone meanwhile (deleted after the build resolved it) asks for nothing."""
    group_id = server_groups.group_of(server)
    group = view.server_group(group_id) if group_id else None
    if group is None or group.metadata.namespace != server.metadata.namespace:
        return dataclasses.replace(spec, group=None)
    namespace = server.metadata.namespace or ""
    members = server_groups.members(group, view.servers_in(namespace))
    others = [m for m in members if m.server_id != server.server_id]
    return dataclasses.replace(
        spec,
        group=GroupSpec(
            group_id=group.group_id,
            policy=group.spec.policy.value,
            members=frozenset(m.server_id for m in others),
            max_server_per_host=group.max_server_per_host,
            hosts=frozenset(m.status.host for m in others if m.status.host),
        ),
    )


async def schedule(rt: Runtime, server: Server, flavor: EmbeddedFlavor, image: Image) -> Server | None:
    """Place ``server`` and persist it; the Server afterwards (``None`` if it is gone)."""
    spec = request_spec(server, flavor, image)
    latest: list[Server | None] = [server]

    async def persist(host: HostState) -> str | None:
        current = latest[0]
        if current is None:
            return None

        def decide(s: Server) -> status.Transition | None:
            return operations.placed(
                s, host=host.name, zone=host.availability_zone, flavor=flavor, image_id=image.image_id
            )

        latest[0] = await writer.apply(rt, current, decide)
        return latest[0].status.host if latest[0] is not None else None

    prepare = functools.partial(with_group, view=rt.view, server=server)
    while True:
        try:
            admit = quota_recheck(rt, server, creating(flavor))
            await rt.ledger.place(spec, rt.view, persist, admit, prepare=prepare)
            return latest[0]
        except quotas.QuotaExceeded as over:
            refuse = functools.partial(operations.build_failed, message=str(over))
            return await writer.apply(rt, server, refuse)
        except quota_limits.NotReady:
            if rt.quotas is not None:
                await asyncio.to_thread(rt.quotas.wait_synced, 5.0)
            continue
        except NoValidHost as error:
            remaining = rt.settings.reference_grace_seconds - age_seconds(server)
            if remaining <= 0:
                return await writer.apply(
                    rt, server, functools.partial(operations.no_valid_host, error=error)
                )
        await rt.view.changed(remaining)
        fresh = rt.view.server(writer.ref_of(server), server)
        if fresh is None or fresh.metadata.deletion_timestamp:
            return fresh
        server = latest[0] = fresh


def quota_recheck(rt: Runtime, server: Server, requested: quotas.Usage) -> ledger.Admit | None:
    """Nova's quota recheck of ``server`` against the placements held (the ledger runs it under
    its lock): the project's placed servers, and its shelved-offloaded ones (they hold no host but
    keep their quota, as in Nova, so unshelving one never needs a recheck) + ``requested`` within
    instances, cores and RAM. ``requested``: a new server's (``creating``) or a resize's growth
    (``growing``; the server's own placement is then among those held)."""
    limits_source, namespace = rt.quotas, server.metadata.namespace or ""
    if limits_source is None:
        return None

    def admit(placements: ledger.Held) -> None:
        limits = limits_source.limits(namespace)
        if limits is None:
            return  # not a project's namespace: no Nova quota
        if quotas.unlimited(limits):
            return  # nothing to count (the project's servers are not read)
        project = rt.view.servers_in(namespace)
        sizes = []
        for other in project:
            uid, flavor = other.metadata.uid or "", other.status.flavor
            held = placements.get(uid)
            if held is not None:
                sizes.append((held.vcpus, held.memory_mb))
            elif other.status.vm_state is VmState.SHELVED_OFFLOADED and flavor:
                sizes.append((flavor.vcpus, flavor.ram))
        used = quotas.total(sizes)
        message = quotas.exceeded(limits, used, requested)
        if message is not None:
            raise quotas.QuotaExceeded(message)

    return admit


def creating(flavor: EmbeddedFlavor) -> quotas.Usage:
    """What a new server adds to its project's usage."""
    return quotas.Usage(1, flavor.vcpus, flavor.ram)


def growing(old: EmbeddedFlavor, new: EmbeddedFlavor) -> quotas.Usage:
    """What a resize adds (Nova checks only the growth: a smaller flavor never exceeds)."""
    return quotas.Usage(0, max(0, new.vcpus - old.vcpus), max(0, new.ram - old.ram))


def age_seconds(server: Server) -> float:
    created = server.metadata.creation_timestamp
    if not created:
        return 0.0
    born = datetime.fromisoformat(created.replace("Z", "+00:00"))
    return (datetime.now(UTC) - born).total_seconds()
