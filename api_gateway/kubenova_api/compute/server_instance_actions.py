"""``/servers/{id}/os-instance-actions``: the one action log (``status.actions``, written by the
operator) plus the requests of the inbox it has not recorded yet (``domain.requests.unrecorded``,
shown started and unfinished), so a client sees its action at once.

From 2.58 the list pages (``limit``/``marker`` = request id, ``links``) and filters on
``changes-since``, from 2.66 on ``changes-before``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from kubenova.domain import requests
from kubenova.resources import Server
from kubenova.resources.server import InstanceAction
from kubenova_api import errors, pagination
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.servers_query import parse_time
from kubenova_api.urls import PublicUrls
from kubenova_api.views.server_instance_actions import ActionRecord


def _record(entry: InstanceAction, *, carried_out: bool) -> ActionRecord:
    return ActionRecord(
        action=entry.action,
        request_id=entry.request_id,
        user_id=entry.user_id,
        start_time=entry.start_time,
        finish_time=entry.finish_time,
        result=entry.result,
        message=entry.message,
        carried_out=carried_out,
    )


def records(server: Server) -> list[ActionRecord]:
    """Every action of ``server``, newest first (Nova's order)."""
    merged = [_record(entry, carried_out=True) for entry in server.status.actions]
    merged += [
        _record(requests.as_action(request), carried_out=False) for request in requests.unrecorded(server)
    ]
    order = {id(record): index for index, record in enumerate(merged)}
    return sorted(merged, key=lambda r: (r.start_time, order[id(r)]), reverse=True)


def find(server: Server, request_id: str) -> ActionRecord:
    record = next((r for r in records(server) if r.request_id == request_id), None)
    if record is None:
        raise errors.NotFoundError(f"Action {request_id} not found")
    return record


@dataclass(frozen=True)
class Listing:
    records: list[ActionRecord]
    links: list[dict[str, str]] = field(default_factory=list)


def _changed_within(record: ActionRecord, query: QueryParams, version: APIVersion) -> bool:
    updated = parse_time("updated_at", record.updated_at)
    since = query.get("changes-since") if version >= "2.58" else None
    before = query.get("changes-before") if version >= "2.66" else None
    if since is not None and updated < parse_time("changes-since", since):
        return False
    return before is None or updated <= parse_time("changes-before", before)


def listing(
    server: Server, query: QueryParams, version: APIVersion, *, max_limit: int, urls: PublicUrls
) -> Listing:
    """The records a list request returns, with the next-page link (2.58)."""
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
    found = [r for r in records(server) if _changed_within(r, query, version)]
    if version < "2.58":
        return Listing(found)
    page = pagination.page_request(query, max_limit)
    if page.marker is not None:
        index = next((i for i, r in enumerate(found) if r.request_id == page.marker), None)
        if index is None:
            raise errors.BadRequestError(f"Marker {page.marker} could not be found.")
        found = found[index + 1 :]
    found = found[: page.limit]
    links: list[dict[str, str]] = []
    if found and len(found) == page.limit:
        params = [(k, v) for k, v in query.multi_items() if k not in ("limit", "marker")]
        params += [("limit", str(page.limit)), ("marker", found[-1].request_id)]
        href = urls.compute("servers", server.server_id, "os-instance-actions") + "?" + urlencode(params)
        links = [{"rel": "next", "href": href}]
    return Listing(found, links)
