"""Shared fixtures of the simulator's integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.simulator import SimulatorHandle
from tests.simulator.kubevirt import KubeVirt
from tests.support.cluster import Cluster


@pytest.fixture
def kubevirt(cluster: Cluster, simulator: SimulatorHandle, namespace: str) -> Iterator[KubeVirt]:
    """KubeVirt objects in the test's namespace, with the session simulator running."""
    simulator.check_alive()
    with cluster.connected() as api:
        yield KubeVirt(api, namespace)
    simulator.check_alive()
