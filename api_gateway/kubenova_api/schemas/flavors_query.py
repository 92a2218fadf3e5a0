"""``GET /flavors`` and ``/flavors/detail`` query parameters (Nova's ``index_query`` in
``schemas/flavors.py`` and its ``_get_flavors``): unknown parameters are ignored below 2.75 and
refused from 2.75; from 2.102 ``name`` (a regular expression, searched in the name) is known and
``rxtx_factor`` is no longer a sort key."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.datastructures import QueryParams

from kubenova_api import errors, params
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.queries import refuse_unknown

LIST_QUERY = ("limit", "marker", "is_public", "minRam", "minDisk", "sort_key", "sort_dir")
SORT_KEYS = [
    "created_at",
    "description",
    "disabled",
    "ephemeral_gb",
    "flavorid",
    "id",
    "is_public",
    "memory_mb",
    "name",
    "root_gb",
    "rxtx_factor",
    "swap",
    "updated_at",
    "vcpu_weight",
    "vcpus",
]
SORT_DIRS = ["asc", "desc"]


@dataclass(frozen=True)
class FlavorQuery:
    is_public: bool | None
    min_ram: int | None
    min_disk: int | None
    name: re.Pattern[str] | None
    sort_key: str
    sort_dir: str


def _enum(name: str, values: Iterable[str], allowed: list[str]) -> None:
    for value in values:
        if value not in allowed:
            raise errors.BadRequestError(
                f"Invalid input for query parameters {name}. Value: {value}. "
                f"{value!r} is not one of {allowed!r}"
            )


def _name_pattern(raw: str) -> re.Pattern[str]:
    try:
        return re.compile(raw)
    except re.error:
        # Nova hands the text to the database's REGEXP; one Python cannot compile is taken literally.
        return re.compile(re.escape(raw))


def parse(query: QueryParams, version: APIVersion) -> FlavorQuery:
    strict_2102 = version >= "2.102"
    refuse_unknown(query, (*LIST_QUERY, "name") if strict_2102 else LIST_QUERY, version)
    sort_keys = [k for k in SORT_KEYS if not (strict_2102 and k == "rxtx_factor")]
    _enum("sort_key", query.getlist("sort_key"), sort_keys)
    _enum("sort_dir", query.getlist("sort_dir"), SORT_DIRS)
    name = query.get("name") if strict_2102 else None
    return FlavorQuery(
        is_public=params.parse_tristate(query.get("is_public"), name="is_public", default=True),
        min_ram=params.parse_int(query.get("minRam"), name="minRam"),
        min_disk=params.parse_int(query.get("minDisk"), name="minDisk"),
        name=_name_pattern(name) if name is not None else None,
        sort_key=query.get("sort_key") or "flavorid",
        sort_dir=query.get("sort_dir") or "asc",
    )
