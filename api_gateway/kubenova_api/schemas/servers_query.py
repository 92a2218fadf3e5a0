"""``GET /servers[/detail]`` query parameters: which filters a caller may use, parsed once.

Nova's rules: a non-admin's filters outside the allowed list are *silently dropped* (the list
grows with microversions: ``ip6`` 2.5, tags 2.26, ``changes-before`` 2.66, ``locked`` 2.73, most
instance attributes 2.83, ``hostname`` 2.90); admins (``servers:allow_all_filters``) may use every
filter. From 2.75 a parameter Nova does not know at all is a 400, for everybody. ``status`` is
translated back to (vm_state, task_state) pairs through ``states_for_status``; an unknown status
matches nothing before 2.38 and is a 400 from 2.38.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from starlette.datastructures import QueryParams

from kubenova.domain.status_table import states_for_status
from kubenova.resources.states import TaskState, VmState
from kubenova_api import errors, params
from kubenova_api.bounded_regex import UserPattern
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.queries import refuse_unknown

# Filters every caller may use, and the microversion each became available to non-admins.
_USER_FILTERS: dict[str, str] = {
    "reservation_id": "2.1",
    "name": "2.1",
    "status": "2.1",
    "image": "2.1",
    "flavor": "2.1",
    "ip": "2.1",
    "changes-since": "2.1",
    "all_tenants": "2.1",
    "ip6": "2.5",
    "tags": "2.26",
    "tags-any": "2.26",
    "not-tags": "2.26",
    "not-tags-any": "2.26",
    "changes-before": "2.66",
    "locked": "2.73",
    "availability_zone": "2.83",
    "config_drive": "2.83",
    "key_name": "2.83",
    "created_at": "2.83",
    "launched_at": "2.83",
    "terminated_at": "2.83",
    "power_state": "2.83",
    "task_state": "2.83",
    "vm_state": "2.83",
    "progress": "2.83",
    "user_id": "2.83",
    "hostname": "2.90",
}
# Admin-only filters kubenova evaluates.
_ADMIN_FILTERS = ("host", "node", "uuid", "project_id", "tenant_id", "deleted")
# Parameters Nova's 2.75 query schema knows without kubenova filtering on them (ignored).
_KNOWN_IGNORED = frozenset(
    {
        "launch_index",
        "image_ref",
        "kernel_id",
        "ramdisk_id",
        "display_name",
        "description",
        "display_description",
        "locked_by",
        "root_device_name",
        "access_ip_v4",
        "access_ip_v6",
        "auto_disk_config",
        "soft_deleted",
        "block_device_mapping",
        "services",
        "metadata",
        "system_metadata",
        "info_cache",
        "security_groups",
        "pci_devices",
        "cell_name",
    }
)
_PAGING = frozenset({"limit", "marker", "sort_key", "sort_dir"})

# Nova's server sort keys (its ``servers.VALID_SORT_KEYS``); ``locked`` from 2.73.
SORT_KEYS = frozenset(
    {
        "access_ip_v4",
        "access_ip_v6",
        "auto_disk_config",
        "availability_zone",
        "config_drive",
        "created_at",
        "display_description",
        "display_name",
        "host",
        "hostname",
        "image_ref",
        "instance_type_id",
        "kernel_id",
        "key_name",
        "launch_index",
        "launched_at",
        "locked_by",
        "node",
        "power_state",
        "progress",
        "project_id",
        "ramdisk_id",
        "root_device_name",
        "task_state",
        "terminated_at",
        "updated_at",
        "user_id",
        "uuid",
        "vm_state",
        "id",
    }
)
ADMIN_SORT_KEYS = frozenset({"host", "node"})


@dataclass
class ListQuery:
    """The effective filters and sort order of one list request."""

    all_tenants: bool = False
    project_id: str | None = None
    name: UserPattern | None = None
    states: list[tuple[VmState, set[TaskState | None]]] | None = None
    image: str | None = None
    flavor: str | None = None
    ip: UserPattern | None = None
    ip6: UserPattern | None = None
    tags: list[str] = field(default_factory=list)
    tags_any: list[str] = field(default_factory=list)
    not_tags: list[str] = field(default_factory=list)
    not_tags_any: list[str] = field(default_factory=list)
    locked: bool | None = None
    changes_since: datetime | None = None
    changes_before: datetime | None = None
    deleted: bool | None = None
    """Nova's admin-only ``deleted`` filter; ``None``: not given."""
    equal: dict[str, set[str]] = field(default_factory=dict)
    """Attribute filters compared for equality (any of the given values)."""
    sort: list[tuple[str, str]] = field(default_factory=list)


def _csv(value: str | None) -> list[str]:
    return [part for part in (value or "").split(",") if part]


def _regex(name: str, value: str) -> UserPattern:
    return UserPattern(name, value)


def parse_time(name: str, value: str) -> datetime:
    """An ISO 8601 timestamp (naive = UTC), as Nova's ``format: date-time`` accepts."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise errors.BadRequestError(
            f"Invalid input for query parameters {name}. Value: {value}. '{value}' is not a 'date-time'"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _effective(query: QueryParams, version: APIVersion, *, all_filters: bool) -> dict[str, list[str]]:
    """The parameters that count for this caller: unknown ones refused from 2.75, a non-admin's
    unavailable filters dropped."""
    known = set(_USER_FILTERS) | set(_ADMIN_FILTERS) | _KNOWN_IGNORED | _PAGING
    refuse_unknown(query, known, version)
    result: dict[str, list[str]] = {}
    for key in query:
        if key not in known:
            continue
        since = _USER_FILTERS.get(key)
        if key in _PAGING or all_filters or (since is not None and version >= since):
            result[key] = query.getlist(key)
    return result


def _states(values: list[str], version: APIVersion) -> list[tuple[VmState, set[TaskState | None]]]:
    states: list[tuple[VmState, set[TaskState | None]]] = []
    for value in values:
        found = states_for_status(value)
        if not found and version >= "2.38":
            raise errors.BadRequestError(f"Invalid status value: {value}")
        states.extend(found)
    return states


def _sort(query: dict[str, list[str]], version: APIVersion, *, all_filters: bool) -> list[tuple[str, str]]:
    keys = query.get("sort_key", [])
    dirs = query.get("sort_dir", [])
    for key in keys:
        if key not in SORT_KEYS and not (key == "locked" and version >= "2.73"):
            raise errors.BadRequestError(f"Invalid input for query parameters sort_key. Value: {key}.")
        if key in ADMIN_SORT_KEYS and not all_filters:
            raise errors.ForbiddenError(f"Only administrators can sort servers by {key}")
    for direction in dirs:
        if direction not in ("asc", "desc"):
            raise errors.BadRequestError(f"Invalid input for query parameters sort_dir. Value: {direction}.")
    # Nova's defaults: created_at desc, then id; fewer directions than keys repeat the first.
    default_dir = dirs[0] if dirs else "desc"
    pairs = [(key, dirs[i] if i < len(dirs) else default_dir) for i, key in enumerate(keys or ["created_at"])]
    pairs += [(key, default_dir) for key in ("created_at", "id") if key not in keys]
    return pairs


def parse(query_params: QueryParams, version: APIVersion, *, all_filters: bool) -> ListQuery:
    """The list request's effective query (``all_filters``: the caller may use admin filters)."""
    query = _effective(query_params, version, all_filters=all_filters)

    def last(key: str) -> str | None:
        values = query.get(key)
        return values[-1] if values else None

    result = ListQuery(sort=_sort(query, version, all_filters=all_filters))
    all_tenants = last("all_tenants")
    if all_tenants is not None:
        # A bare ``all_tenants`` means yes; otherwise a boolean (Python reprs such as "True").
        result.all_tenants = all_tenants == "" or params.parse_bool(all_tenants, name="all_tenants")
    result.project_id = last("project_id") or last("tenant_id")
    if (name := last("name")) is not None:
        result.name = _regex("name", name)
    if "status" in query:
        result.states = _states(query["status"], version)
    result.image = last("image")
    result.flavor = last("flavor")
    if (ip := last("ip")) is not None:
        result.ip = _regex("ip", ip)
    if (ip6 := last("ip6")) is not None:
        result.ip6 = _regex("ip6", ip6)
    result.tags, result.tags_any = _csv(last("tags")), _csv(last("tags-any"))
    result.not_tags, result.not_tags_any = _csv(last("not-tags")), _csv(last("not-tags-any"))
    if (locked := last("locked")) is not None:
        result.locked = params.parse_bool(locked, name="locked")
    if (deleted := last("deleted")) is not None:
        result.deleted = params.parse_bool(deleted, name="deleted")
    if (since := last("changes-since")) is not None:
        result.changes_since = parse_time("changes-since", since)
    if (before := last("changes-before")) is not None:
        result.changes_before = parse_time("changes-before", before)
    if result.changes_since and result.changes_before and result.changes_before < result.changes_since:
        raise errors.BadRequestError(
            "The value of changes-since must be less than or equal to changes-before."
        )
    for key in (
        "availability_zone",
        "key_name",
        "user_id",
        "host",
        "node",
        "uuid",
        "hostname",
        "reservation_id",
        "vm_state",
        "task_state",
        "power_state",
        "progress",
        "config_drive",
    ):
        if key in query:
            result.equal[key] = set(query[key])
    return result
