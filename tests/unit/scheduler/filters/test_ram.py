"""RamFilter keeps hosts whose free RAM, after ratio and reservation, fits the flavor."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova.scheduler.filters.ram import RamFilter
from tests.unit.scheduler.factories import make_host, make_spec


@pytest.mark.parametrize(
    ("host_kw", "requested", "passes"),
    [
        ({}, 4096, True),
        ({"used_memory_mb": 1}, 4096, False),
        ({"used_memory_mb": 3072}, 1024, True),
        ({"used_memory_mb": 3072}, 1025, False),
        ({"used_memory_mb": 4096, "ram_allocation_ratio": 1.5}, 2048, True),
        ({"used_memory_mb": 4096, "ram_allocation_ratio": 1.5}, 2049, False),
        ({"reserved_memory_mb": 1024}, 3072, True),
        ({"reserved_memory_mb": 1024}, 3073, False),
        ({"ram_allocation_ratio": 0.5}, 2049, False),
    ],
)
def test_free_ram_must_cover_the_request(host_kw: dict[str, Any], requested: int, passes: bool) -> None:
    host = make_host(total_memory_mb=4096, **host_kw)
    assert RamFilter().host_passes(host, make_spec(memory_mb=requested)) is passes
