"""Operator integration tests: the real API server, the KubeVirt simulator and ``python -m kubenova``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import SimulatorHandle
from tests.integration.compute import Compute
from tests.support.cluster import Cluster
from tests.support.storage import Storage


@pytest.fixture
def compute(
    cluster: Cluster, operator: OperatorHandle, simulator: SimulatorHandle, namespace: str
) -> Iterator[Compute]:
    """kubenova objects in the test's namespace, with the operator and the simulator running."""
    simulator.check_alive()
    operator.check_alive()
    with cluster.connected() as api:
        helper = Compute(api, namespace)
        try:
            yield helper
        finally:
            operator.start()  # a test that killed it must not leave Servers without finalizer handling
            helper.cleanup()
    simulator.check_alive()


@pytest.fixture
def storage(cluster: Cluster, namespace: str) -> Iterator[Storage]:
    """DataVolumes, PVCs and PVs of the test's namespace (CDI's and the provisioner's objects)."""
    with cluster.connected() as api:
        yield Storage(api, namespace)
