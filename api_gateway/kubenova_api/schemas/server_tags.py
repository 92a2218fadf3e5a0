"""Server tag bodies (2.26): ``{"tags": [...]}`` and the tag in ``/tags/{tag}``."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

from kubenova_api import errors
from kubenova_api.schemas.parameter_types import tag
from kubenova_api.schemas.validation import StrictBody, parse_body

TAG = re.compile(r"^[^,/]{1,60}$")
MAX_TAGS = 50


class TagsRequest(StrictBody):
    """Nova's ``schemas/server_tags.py`` update_all: an array of ``parameter_types.tag``."""

    tags: list[Annotated[str, BeforeValidator(tag)]]


def parse_tags(body: Any) -> list[str]:
    """The new tag set (duplicates dropped, order kept); more than 50 is Nova's 400."""
    tags = list(dict.fromkeys(parse_body(TagsRequest, body).tags))
    if len(tags) > MAX_TAGS:
        raise errors.BadRequestError(f"The number of tags exceeded the per-server limit {MAX_TAGS}")
    return tags


def check_path_tag(tag: str) -> str:
    if not TAG.match(tag):
        raise errors.BadRequestError(
            f"Tag '{tag}' is invalid. It must be a non empty string without characters '/' and ','"
        )
    return tag
