"""NumInstancesFilter caps the number of servers per host at max_instances_per_host."""

from __future__ import annotations

import pytest

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.filters.num_instances import NumInstancesFilter
from tests.unit.scheduler.factories import make_host, make_spec


@pytest.mark.parametrize(
    ("num_instances", "limit", "passes"),
    [
        (0, 50, True),
        (49, 50, True),
        (50, 50, False),
        (51, 50, False),
        (0, 1, True),
        (1, 1, False),
        (0, 0, False),
    ],
)
def test_hosts_at_the_limit_are_refused(num_instances: int, limit: int, passes: bool) -> None:
    host_filter = NumInstancesFilter(SchedulerConfig(max_instances_per_host=limit))
    assert host_filter.host_passes(make_host(num_instances=num_instances), make_spec()) is passes


def test_the_default_limit_is_fifty() -> None:
    reason = NumInstancesFilter().rejection(make_host(num_instances=50), make_spec())
    assert reason == "has 50 servers, the limit is 50"
