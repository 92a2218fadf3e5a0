"""RequestSpec sizes a server the way Nova's flavor does."""

from __future__ import annotations

import pytest

from tests.unit.scheduler.factories import make_spec


@pytest.mark.parametrize(
    ("root_gb", "ephemeral_gb", "swap_mb", "disk_gb"),
    [(0, 0, 0, 0), (10, 0, 0, 10), (10, 5, 0, 15), (10, 5, 512, 16), (10, 0, 1024, 11), (1, 0, 1025, 3)],
)
def test_disk_gb_adds_root_ephemeral_and_swap_rounded_up(
    root_gb: int, ephemeral_gb: int, swap_mb: int, disk_gb: int
) -> None:
    spec = make_spec(root_gb=root_gb, ephemeral_gb=ephemeral_gb, swap_mb=swap_mb)
    assert spec.disk_gb == disk_gb


def test_a_request_for_zero_instances_is_refused() -> None:
    with pytest.raises(ValueError, match="num_instances"):
        make_spec(num_instances=0)
