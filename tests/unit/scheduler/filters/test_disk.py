"""DiskFilter keeps hosts whose free disk fits root + ephemeral + swap."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova.scheduler.filters.disk import DiskFilter
from tests.unit.scheduler.factories import make_host, make_spec


@pytest.mark.parametrize(
    ("host_kw", "spec_kw", "passes"),
    [
        ({}, {"root_gb": 20}, True),
        ({}, {"root_gb": 20, "swap_mb": 1}, False),
        ({}, {"root_gb": 10, "ephemeral_gb": 9, "swap_mb": 1024}, True),
        ({"used_disk_gb": 10}, {"root_gb": 10, "ephemeral_gb": 1}, False),
        ({"used_disk_gb": 20, "disk_allocation_ratio": 2.0}, {"root_gb": 20}, True),
        ({"reserved_disk_gb": 2}, {"root_gb": 19}, False),
        ({"used_disk_gb": 20}, {"root_gb": 0}, True),
    ],
)
def test_free_disk_must_cover_root_ephemeral_and_swap(
    host_kw: dict[str, Any], spec_kw: dict[str, Any], passes: bool
) -> None:
    host = make_host(total_disk_gb=20, **host_kw)
    assert DiskFilter().host_passes(host, make_spec(**spec_kw)) is passes
