"""Shared helpers of the table-driven schema tests: a body is accepted (the parsed value is
returned) or refused with Nova's exact 400 message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kubenova_api import errors


def refusal(parse: Callable[[], Any]) -> str:
    """The 400 message ``parse()`` answers (fails the test if it accepts)."""
    with pytest.raises(errors.BadRequestError) as caught:
        parse()
    return caught.value.message
