"""``/os-migrations``: Nova's migration records (``Migration`` objects, written by the operator),
filtered, sorted and paged as ``nova/api/openstack/compute/migrations.py`` does.

Filters (equality): ``host`` (source or destination), ``status``, ``migration_type``,
``instance_uuid``, ``source_compute``; ``changes-since`` (2.59) and ``changes-before`` (2.66) on
``updated_at``; ``user_id`` and ``project_id`` (2.80). Before 2.59 unknown parameters are
ignored (``additionalProperties: True``) and so are ``changes-since``/``changes-before``; from
2.59 they are refused, with ``limit``/``marker`` (a migration uuid) paging newest first
(``created_at``, then ``id``, descending).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import QueryParams

from kubenova.resources.migration import Migration
from kubenova_api import errors, pagination
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.queries import unexpected
from kubenova_api.schemas.servers_query import parse_time

_V20 = ("hidden", "host", "instance_uuid", "source_compute", "status", "migration_type")
_V259 = (*_V20, "limit", "marker", "changes-since")
_V266 = (*_V259, "changes-before")
_V280 = (*_V266, "user_id", "project_id")
_EQUAL = ("status", "migration_type", "instance_uuid", "source_compute")


@dataclass(frozen=True)
class Owned:
    """A migration and the project owning it (its namespace's)."""

    migration: Migration
    project_id: str


@dataclass(frozen=True)
class Listing:
    items: list[Owned]
    links: list[dict[str, str]] = field(default_factory=list)


def known_parameters(version: APIVersion) -> tuple[str, ...]:
    if version >= "2.80":
        return _V280
    if version >= "2.66":
        return _V266
    return _V259


def _check_query(query: QueryParams, version: APIVersion) -> None:
    if version < "2.59":
        return
    known = known_parameters(version)
    extras = {name for name in query if name not in known}
    if extras:
        raise errors.BadRequestError(unexpected(extras))
    for name in ("limit", "marker", "changes-since", "changes-before", "user_id", "project_id"):
        if len(query.getlist(name)) > 1:
            raise errors.BadRequestError(f"Invalid input for query parameters {name}.")


def _matches(item: Owned, query: QueryParams, version: APIVersion) -> bool:
    spec = item.migration.spec
    host = query.get("host")
    if host is not None and host not in (spec.source_compute, spec.dest_compute):
        return False
    for name in _EQUAL:
        wanted = query.getlist(name)
        if wanted and getattr(spec, name) not in wanted:
            return False
    if version >= "2.80":
        if "user_id" in query and spec.user_id != query["user_id"]:
            return False
        if "project_id" in query and item.project_id != query["project_id"]:
            return False
    if version >= "2.59":
        updated = parse_time("updated_at", spec.updated_at or spec.created_at)
        since = query.get("changes-since")
        before = query.get("changes-before") if version >= "2.66" else None
        if since is not None and updated < parse_time("changes-since", since):
            return False
        if before is not None and updated > parse_time("changes-before", before):
            return False
    return True


def listing(
    items: list[Owned], query: QueryParams, version: APIVersion, *, max_limit: int, base_url: str
) -> Listing:
    """The migrations a list request returns, newest first, with the next-page link (2.59)."""
    _check_query(query, version)
    since, before = query.get("changes-since"), query.get("changes-before")
    if (
        version >= "2.66"
        and since
        and before
        and parse_time("changes-before", before) < parse_time("changes-since", since)
    ):
        raise errors.BadRequestError(
            "The value of changes-since must be less than or equal to changes-before."
        )
    found = [item for item in items if _matches(item, query, version)]
    found.sort(key=lambda i: (parse_time("created_at", i.migration.spec.created_at), i.migration.spec.id))
    found.reverse()
    if version < "2.59":
        return Listing(found)
    page = pagination.page_request(query, max_limit)
    if page.marker is not None and not any(i.migration.spec.uuid == page.marker for i in found):
        raise errors.BadRequestError(f"Marker {page.marker} could not be found.")
    shown = pagination.paginate(found, page, lambda i: i.migration.spec.uuid)
    links = pagination.next_links(
        shown, page, lambda i: i.migration.spec.uuid, base_url=base_url, query=query
    )
    return Listing(shown, links)
