"""Nova's ``limit``/``marker`` pagination and the ``<collection>_links`` "next" link.

``limit`` is capped by ``max_limit``; the marker is the last item's id of the previous page (an
unknown marker is a 400). A page that is full gets a ``next`` link repeating the request's query
with the new marker, as an absolute URL (the SDK follows it as is).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from kubenova_api import errors

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    limit: int  # effective: min(requested, max_limit)
    marker: str | None


def page_request(query: QueryParams, max_limit: int) -> PageRequest:
    raw = query.get("limit")
    limit = max_limit
    if raw is not None:
        try:
            requested = int(raw)
        except ValueError:
            raise errors.BadRequestError("limit param must be an integer") from None
        if requested < 0:
            raise errors.BadRequestError("limit param must be positive")
        limit = min(requested, max_limit)
    return PageRequest(limit=limit, marker=query.get("marker"))


def paginate(items: Sequence[T], page: PageRequest, key: Callable[[T], str]) -> list[T]:
    """The page after ``page.marker`` (items are already filtered and sorted)."""
    start = 0
    if page.marker is not None:
        index = next((i for i, item in enumerate(items) if key(item) == page.marker), None)
        if index is None:
            raise errors.BadRequestError(f"marker [{page.marker}] not found")
        start = index + 1
    return list(items[start : start + page.limit])


def next_links(
    page_items: Sequence[T], page: PageRequest, key: Callable[[T], str], *, base_url: str, query: QueryParams
) -> list[dict[str, str]]:
    """``[{"rel": "next", "href": ...}]`` when the page is full, else ``[]``."""
    if not page_items or len(page_items) < page.limit:
        return []
    params = [(k, v) for k, v in query.multi_items() if k not in ("limit", "marker")]
    params += [("limit", str(page.limit)), ("marker", key(page_items[-1]))]
    return [{"rel": "next", "href": f"{base_url}?{urlencode(params)}"}]
