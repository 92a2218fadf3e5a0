"""A frozen API server (SIGSTOP, then SIGCONT) in the middle of creates, stops and deletes: every
server reaches the state it was asked for within 60 s of the API server's recovery, with exactly
the KubeVirt objects that state needs — nothing stalls on a connection the freeze left hanging."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import SimulatorHandle
from tests.integration.compute import Compute
from tests.support.cluster import Cluster

pytestmark = pytest.mark.cluster

PAUSE_SECONDS = 12.0
"""Longer than the client stack's request timeouts and kopf's watch reconnect delays, so every
component meets a request that hangs and has to give up on it."""
RECOVERY_SECONDS = 60


def test_every_server_reaches_its_requested_state_after_the_apiserver_froze(
    compute: Compute, cluster: Cluster, operator: OperatorHandle, simulator: SimulatorHandle
) -> None:
    plane = cluster.control_plane
    if plane is None or plane.apiserver is None:
        pytest.skip("needs the local control plane (its kube-apiserver is paused with SIGSTOP)")
    flavor, image = compute.flavor(), compute.image()
    for name in ("to-stop", "to-delete"):
        compute.create_server(name, flavor=flavor, image=image)
    for name in ("to-stop", "to-delete"):
        compute.wait_status(name, "ACTIVE")

    born = [f"born-{i}" for i in range(4)]
    for name in born:
        compute.create_server(name, flavor=flavor, image=image)
    compute.patch_server("to-stop", {"powerState": "Stopped"})
    compute.delete_server("to-delete")

    pid = plane.apiserver.pid
    os.kill(pid, signal.SIGSTOP)  # operator and simulator are mid-way through all of it
    try:
        time.sleep(PAUSE_SECONDS)  # the freeze itself, not a wait for a result
    finally:
        os.kill(pid, signal.SIGCONT)

    for name in born:
        compute.wait_status(name, "ACTIVE", timeout=RECOVERY_SECONDS)
    compute.wait_status("to-stop", "SHUTOFF", timeout=RECOVERY_SECONDS)
    compute.wait_gone("to-delete", timeout=RECOVERY_SECONDS)

    # What each state needs on the KubeVirt side, and nothing twice.
    for name in born:
        vmi = compute.vmi(name)
        assert vmi is not None, name
        assert vmi["status"]["phase"] == "Running", name
        assert [a["action"] for a in compute.server(name)["status"]["actions"]] == ["create"]
    assert compute.vmi("to-stop") is None
    stopped_vm = compute.vm("to-stop")
    assert stopped_vm is not None
    assert stopped_vm["spec"]["runStrategy"] == "Halted"
    assert compute.vm("to-delete") is None
    assert sorted(vm["metadata"]["name"] for vm in compute.vms()) == sorted([*born, "to-stop"])
    operator.check_alive()
    simulator.check_alive()
    plane.check()  # etcd, kube-apiserver and kube-controller-manager all still running
