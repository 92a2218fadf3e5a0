"""``KUBENOVA_MAX_CONCURRENT_BUILDS`` (Nova's ``max_concurrent_builds``): a host builds at most that
many servers at once. The others wait placed on it (BUILD/spawning, no VirtualMachine) in the order
they came, and each gets its VM as soon as a build on the host ends, across an operator restart."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import SimulatorHandle
from tests.integration.compute import Compute
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

LIMIT = 2
SLOW_IMAGE_BYTES = 160 * 1024**3
"""A disk-0 flavor and a 160 GiB image: the simulated import (8 GiB/s) takes about 20 s, so the
first builds are still under way while the test looks at the ones waiting."""


@pytest.fixture
def two_builds_per_host(operator: OperatorHandle) -> Iterator[OperatorHandle]:
    with operator.configured({"KUBENOVA_MAX_CONCURRENT_BUILDS": str(LIMIT)}):
        yield operator


def _with_vm(compute: Compute, names: list[str]) -> list[str]:
    return [n for n in names if compute.vm(n) is not None]


def _status(compute: Compute, name: str) -> dict[str, Any]:
    """The Server's status ({} until the operator first wrote it)."""
    return compute.server(name).get("status") or {}


def _all_building(compute: Compute, names: list[str]) -> bool:
    return all(_status(compute, n).get("status") == "BUILD" for n in names)


def test_a_host_builds_at_most_the_limit_and_the_rest_follow_in_order(
    compute: Compute, simulator: SimulatorHandle, two_builds_per_host: OperatorHandle
) -> None:
    host = simulator.node_names[0]
    flavor, image = compute.flavor(disk=0), compute.image(virtualSize=SLOW_IMAGE_BYTES)
    first, waiting = ["mcb-0", "mcb-1"], ["mcb-2", "mcb-3"]
    for name in first:  # building before the others are even created: first in the queue
        compute.create_server(name, flavor=flavor, image=image, forcedHost=host)
    wait_for(lambda: _with_vm(compute, first) == first, timeout=30, message="the first two building")
    for name in waiting:
        compute.create_server(name, flavor=flavor, image=image, forcedHost=host)

    def placed_and_held() -> bool:
        statuses = [_status(compute, n) for n in waiting]
        return all((s.get("host"), s.get("taskState")) == (host, "spawning") for s in statuses)

    wait_for(placed_and_held, timeout=30, message="the later two placed on the host")
    assert _with_vm(compute, waiting) == []
    assert _all_building(compute, first)  # read after: the two without VMs waited on running builds

    two_builds_per_host.kill()  # a restart rebuilds what builds where from the watch
    two_builds_per_host.start()
    assert _with_vm(compute, waiting) == []
    assert _all_building(compute, first), "the first builds ended during the restart: nothing was tested"

    started = {n: compute.wait_status(n, "ACTIVE", timeout=90) for n in first + waiting}
    first_done = min(started[n]["status"]["launchedAt"] for n in first)
    for name in waiting:
        vm = compute.vm(name)
        assert vm is not None
        assert vm["metadata"]["creationTimestamp"][:19] >= first_done[:19]  # its VM once a slot freed
        assert started[name]["status"]["host"] == host
