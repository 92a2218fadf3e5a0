"""Compute service update bodies: the pre-2.53 host/binary actions (+``forced_down`` from 2.11) and
the 2.53 update by service id. ``forced_down`` is Nova's ``parameter_types.boolean``: a JSON boolean or
one of its listed strings."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from kubenova_api.schemas.parameter_types import Boolean as BooleanParam
from kubenova_api.schemas.validation import StrictBody

Reason = Annotated[str, Field(min_length=1, max_length=255)]


class LegacyServiceUpdate(StrictBody):
    """``PUT /os-services/{enable,disable,disable-log-reason}`` below 2.11."""

    host: Annotated[str, Field(min_length=1, max_length=255)]
    binary: Annotated[str, Field(min_length=1, max_length=255)]
    disabled_reason: Reason | None = None


class LegacyServiceUpdateV211(LegacyServiceUpdate):
    """2.11 adds the ``force-down`` action and its ``forced_down`` field."""

    forced_down: BooleanParam | None = None


class ServiceUpdateV253(StrictBody):
    """``PUT /os-services/{service_id}`` from 2.53; which fields are present decides the update."""

    status: Literal["enabled", "disabled"] | None = None
    disabled_reason: Reason | None = None
    forced_down: BooleanParam | None = None
