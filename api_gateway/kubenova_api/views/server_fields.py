"""Server attributes as Nova names and formats them, read from the Server object: timestamps,
the gateway's annotations (``kubenova.domain.names``), zones, hostname. Shared by the views and by
the list filters and sort keys (``compute.server_listing``).
"""

from __future__ import annotations

import functools
import hashlib
from datetime import UTC, datetime

from pydantic import TypeAdapter, ValidationError

from kubenova.domain import names, placement_request
from kubenova.resources import Server
from kubenova.resources.states import VmState

ROOT_DEVICE_NAME = "/dev/vda"
_HINTS = TypeAdapter(dict[str, list[str]])


# ----- timestamps ---------------------------------------------------------------------------------


def _parse(stamp: str) -> datetime | None:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None


# The formatters below are pure functions of a stored timestamp string: a list renders the same
# stamps at every request, so each is formatted once (bounded caches, a few MiB at most).
_STAMPS = 32768


@functools.lru_cache(maxsize=_STAMPS)
def isotime(stamp: str | None) -> str | None:
    """Nova's ``utils.isotime``: ``2026-01-01T12:00:00Z``."""
    parsed = _parse(stamp) if stamp else None
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ") if parsed else stamp


@functools.lru_cache(maxsize=_STAMPS)
def naive_time(stamp: str | None) -> str | None:
    """Nova's database timestamps as it serialises them: naive UTC with microseconds."""
    parsed = _parse(stamp) if stamp else None
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.%f") if parsed else stamp


def created_at(server: Server) -> str:
    """When the server was created, with microseconds when the gateway recorded them (sortable)."""
    stamp = annotation(server, names.CREATED_ANNOTATION) or server.metadata.creation_timestamp or ""
    return _utc_micro(stamp)


@functools.lru_cache(maxsize=_STAMPS)
def _utc_micro(stamp: str) -> str:
    parsed = _parse(stamp)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") if parsed else stamp


def terminated_at(server: Server) -> str | None:
    """Nova's terminated_at: set on a deleted server (a record, whose ``updatedAt`` is the time its
    delete finished, ``domain.server_records.as_server``); ``None`` for every live server."""
    return server.status.updated_at if server.status.vm_state is VmState.DELETED else None


def annotation(server: Server, key: str) -> str | None:
    return server.metadata.annotations.get(key)


def scheduler_hints(server: Server) -> dict[str, list[str]]:
    """Every hint given at creation, as Nova keeps them (lists of strings)."""
    raw = annotation(server, names.SCHEDULER_HINTS_ANNOTATION)
    if not raw:
        return {}
    try:
        return _HINTS.validate_json(raw)
    except ValidationError:
        return {}


def launch_index(server: Server) -> int:
    raw = annotation(server, names.LAUNCH_INDEX_ANNOTATION) or "0"
    return int(raw) if raw.isdigit() else 0


def host_id(project_id: str, host: str | None) -> str:
    """sha224(project + host): equal for two servers of a project on one host, opaque otherwise."""
    if not host:
        return ""
    return hashlib.sha224((project_id + host).encode()).hexdigest()


def availability_zone(server: Server) -> str:
    """The zone the server is in, else the one it asked for, else ``""``."""
    if server.status.availability_zone:
        return server.status.availability_zone
    return requested_zone(server) or ""


def requested_zone(server: Server) -> str | None:
    """The zone part of ``availability_zone`` at create (Nova's pinned zone), if any."""
    return placement_request.of_spec(server.spec).zone


def hostname(server: Server) -> str:
    return annotation(server, names.HOSTNAME_ANNOTATION) or server.metadata.name
