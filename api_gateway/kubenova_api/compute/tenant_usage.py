"""``os-simple-tenant-usage``: server hours per project over a time window, from the live Servers
and the deleted servers' records (``ServerRecord``), as Nova's ``SimpleTenantUsageController``
computes them.

A server counts when it launched before the window's end and was not terminated before its start
(never launched: not at all). Its hours run from ``max(launched_at, start)`` to
``min(terminated_at, stop)`` (a live server: to ``stop``); the totals multiply them by the
embedded flavor's vCPUs, RAM and root + ephemeral disk. ``stop`` is never later than now. Servers
are ordered by (project, id), and from 2.40 paged by server id (``limit``/``marker``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.datastructures import QueryParams

from kubenova.domain import server_records
from kubenova.resources import Server
from kubenova.resources.states import VmState
from kubenova_api import errors, pagination
from kubenova_api.views import server_fields
from kubenova_api.views.tenant_usage import ServerUsage, TenantUsage

_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True)
class Window:
    start: datetime
    stop: datetime
    detailed: bool


def parse_datetime(value: str | None, *, now: datetime) -> datetime:
    """Nova's ``_parse_datetime``: one of three formats (naive = UTC), else now."""
    if not value:
        return now
    for fmt in _FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise errors.BadRequestError("Invalid datetime string: Datetime is in invalid format")


def window(query: QueryParams, *, now: datetime) -> Window:
    """The window of a request; 400 unless start < end. The stop is clipped to now."""
    start = parse_datetime(query.get("start"), now=now)
    stop = parse_datetime(query.get("end"), now=now)
    if not start < stop:
        raise errors.BadRequestError("Invalid start time. The start time cannot occur after the end time.")
    return Window(start, min(stop, now), query.get("detailed", "0") == "1")


def _time(stamp: str | None) -> datetime | None:
    return server_records.parse_time(stamp) if stamp else None


def hours_for(
    launched: datetime | None, terminated: datetime | None, start: datetime, stop: datetime
) -> float:
    """Nova's ``_hours_for``: the hours of [launched, terminated] inside [start, stop]."""
    if terminated is not None and terminated < start:
        return 0.0
    if launched is None or launched > stop:
        return 0.0
    begin = max(launched, start)
    end = min(stop, terminated) if terminated is not None else stop
    return (end - begin).total_seconds() / 3600.0


def active_in(server: Server, span: Window) -> bool:
    """Nova's ``get_active_by_window_joined``: launched before the end, not terminated before the start."""
    launched = _time(server.status.launched_at)
    terminated = _time(server_fields.terminated_at(server))
    return launched is not None and launched < span.stop and (terminated is None or terminated > span.start)


def usage_of(server: Server, project_id: str, span: Window, *, now: datetime) -> ServerUsage:
    launched = _time(server.status.launched_at) or now
    terminated = _time(server_fields.terminated_at(server))
    flavor = server.status.flavor
    state = "terminated" if terminated is not None else (server.status.vm_state or VmState.BUILDING).value
    uptime = (terminated if terminated is not None else now) - launched
    return ServerUsage(
        instance_id=server.server_id,
        name=server.display_name,
        tenant_id=project_id,
        flavor=flavor.name if flavor is not None else "",
        hours=hours_for(launched, terminated, span.start, span.stop),
        memory_mb=flavor.ram if flavor is not None else 0,
        local_gb=(flavor.disk + flavor.ephemeral) if flavor is not None else 0,
        vcpus=flavor.vcpus if flavor is not None else 0,
        started_at=launched,
        ended_at=terminated,
        state=state,
        uptime=int(uptime.total_seconds()),
    )


def summarise(
    servers: Iterable[tuple[Server, str]],
    span: Window,
    *,
    now: datetime,
    page: pagination.PageRequest | None = None,
) -> tuple[list[TenantUsage], list[ServerUsage]]:
    """Per-project totals and every server's usage for ``servers`` (each with its project id),
    ordered by (project, server id) and paged by server id when ``page`` is given."""
    counted = sorted(
        ((server, project) for server, project in servers if active_in(server, span)),
        key=lambda pair: (pair[1], pair[0].server_id),
    )
    if page is not None:
        if page.marker is not None and all(server.server_id != page.marker for server, _ in counted):
            raise errors.BadRequestError(f"Marker {page.marker} could not be found.")
        counted = pagination.paginate(counted, page, lambda pair: pair[0].server_id)
    tenants: dict[str, TenantUsage] = {}
    usages: list[ServerUsage] = []
    for server, project in counted:
        usage = usage_of(server, project, span, now=now)
        total = tenants.setdefault(project, TenantUsage(project, span.start, span.stop))
        total.total_local_gb_usage += usage.local_gb * usage.hours
        total.total_vcpus_usage += usage.vcpus * usage.hours
        total.total_memory_mb_usage += usage.memory_mb * usage.hours
        total.total_hours += usage.hours
        total.server_usages.append(usage)
        usages.append(usage)
    return list(tenants.values()), usages
