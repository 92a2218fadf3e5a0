"""Server group create bodies (Nova's ``schemas/server_groups.py``): 2.1 ``policies`` (one of
affinity, anti-affinity), 2.15 adds the soft policies, 2.64 a ``policy`` string and ``rules``
(``max_server_per_host``, a positive integer)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.parameter_types import Name, PositiveInteger, SchemaError
from kubenova_api.schemas.validation import StrictBody


def _one_item(value: Any) -> Any:
    """``policies``: an array of exactly one item (the item's enum is checked as item 0, so a
    bad policy is reported for field ``0`` as Nova's ``prefixItems`` reports it)."""
    if not isinstance(value, list):
        raise SchemaError(f"{value!r} is not of type 'array'")
    if len(value) < 1:
        raise SchemaError(f"{value!r} should be non-empty")
    if len(value) > 1:
        raise SchemaError(f"{value!r} is too long")
    return value


Hard = Literal["anti-affinity", "affinity"]
Any4 = Literal["anti-affinity", "affinity", "soft-anti-affinity", "soft-affinity"]


class ServerGroupCreate(StrictBody):
    name: Name
    policies: Annotated[list[Hard], BeforeValidator(_one_item)]


class ServerGroupCreateV215(StrictBody):
    name: Name
    policies: Annotated[list[Any4], BeforeValidator(_one_item)]


class Rules(StrictBody):
    max_server_per_host: PositiveInteger | None = None


class ServerGroupCreateV264(StrictBody):
    name: Name
    policy: Any4
    rules: Rules | None = None


class CreateRequest(StrictBody):
    server_group: ServerGroupCreate


class CreateRequestV215(StrictBody):
    server_group: ServerGroupCreateV215


class CreateRequestV264(StrictBody):
    server_group: ServerGroupCreateV264


def create_model(
    version: APIVersion,
) -> type[CreateRequest] | type[CreateRequestV215] | type[CreateRequestV264]:
    if version >= "2.64":
        return CreateRequestV264
    if version >= "2.15":
        return CreateRequestV215
    return CreateRequest


def policy_and_rules(
    request: ServerGroupCreate | ServerGroupCreateV215 | ServerGroupCreateV264,
) -> tuple[str, int | None, bool]:
    """(policy, max_server_per_host, whether rules were given at all)."""
    if isinstance(request, ServerGroupCreateV264):
        rules = request.rules
        given = rules is not None and bool(rules.model_fields_set)
        return request.policy, rules.max_server_per_host if rules is not None else None, given
    return request.policies[0], None, False
