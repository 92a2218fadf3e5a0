"""IsolatedHostsFilter keeps isolated images on isolated hosts (Nova's truth table)."""

from __future__ import annotations

import pytest

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.filters.isolated_hosts import IsolatedHostsFilter
from tests.unit.scheduler.factories import make_host, make_spec


@pytest.mark.parametrize(
    ("images", "restrict", "host", "image", "passes"),
    [
        ((), True, "iso", "img", False),
        ((), True, "plain", "img", True),
        ((), False, "iso", "img", True),
        (("secret",), True, "iso", "secret", True),
        (("secret",), True, "plain", "secret", False),
        (("secret",), True, "iso", "other", False),
        (("secret",), True, "plain", "other", True),
        (("secret",), False, "iso", "other", True),
        (("secret",), False, "plain", "secret", False),
        (("secret",), False, "iso", "secret", True),
    ],
)
def test_isolation(images: tuple[str, ...], restrict: bool, host: str, image: str, passes: bool) -> None:
    config = SchedulerConfig(
        isolated_images=images, isolated_hosts=("iso",), restrict_isolated_hosts_to_isolated_images=restrict
    )
    result = IsolatedHostsFilter(config).host_passes(make_host(host), make_spec(image_id=image))
    assert result is passes


def test_reason_says_why() -> None:
    config = SchedulerConfig(isolated_images=("secret",), isolated_hosts=("iso",))
    reason = IsolatedHostsFilter(config).rejection(make_host("plain"), make_spec(image_id="secret"))
    assert reason is not None
    assert "isolated" in reason
