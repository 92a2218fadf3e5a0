"""Server tag bodies (2.26): ``{"tags": [...]}`` and the tag in ``/tags/{tag}``."""

from __future__ import annotations

import re
from typing import Any

from pydantic import field_validator

from kubenova_api import errors
from kubenova_api.schemas.validation import StrictBody, parse_body

TAG = re.compile(r"^[^,/]{1,60}$")
MAX_TAGS = 50


def check_tag(tag: str) -> str:
    if not TAG.match(tag):
        raise ValueError(f"'{tag}' does not match '^[^,/]*$' or is not 1-60 characters long")
    return tag


class TagsRequest(StrictBody):
    tags: list[str]

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return [check_tag(tag) for tag in value]


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
