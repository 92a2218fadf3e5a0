"""`kubectl apply -k ... --server-side` against the real API server: every object is accepted.

The local control plane has no kubelet and no workload controllers, so nothing runs; what this
proves is what the API server decides: schema validation, RBAC objects that the RBAC API accepts
(an escalation would be refused here), and Pod Security admission, which warns about every pod
template that the namespace's "restricted" level would reject.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from kubenova import resources
from tests.deploy.conftest import DEFAULT, WITH_SIMULATOR, kustomize
from tests.support.cluster import Cluster

pytestmark = pytest.mark.cluster

FIELD_MANAGER = "kubenova-deploy-test"


@pytest.fixture(autouse=True)
def _local_control_plane_only(cluster: Cluster) -> None:
    """Installing (with placeholder passwords) would clobber a real deployment on an existing cluster."""
    if cluster.control_plane is None:
        pytest.skip("installs kubenova cluster-wide; runs only on the local control plane")


def _apply(cluster: Cluster, entry: str) -> str:
    done = cluster.run_kubectl(
        # --force-conflicts: the session's fixtures installed the admission policies already, under
        # their own field manager (kubenova-localstack); this test is about every object being
        # accepted, not about who owns which field.
        "apply",
        "-k",
        entry,
        "--server-side",
        "--force-conflicts",
        f"--field-manager={FIELD_MANAGER}",
        check=False,
        timeout=180,
    )
    assert done.returncode == 0, f"kubectl apply -k {entry} failed:\n{done.stdout}\n{done.stderr}"
    # Pod Security admission answers with warnings, not errors, for pod templates.
    assert "PodSecurity" not in done.stderr, done.stderr
    assert "Warning" not in done.stderr, done.stderr
    return done.stdout


def _reference(obj: dict[str, Any]) -> list[str]:
    kind = obj["kind"].lower()
    group = obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else ""
    resource = f"{kind}.{group}" if group else kind
    namespace = obj["metadata"].get("namespace")
    return [resource, obj["metadata"]["name"], *(["-n", namespace] if namespace else [])]


def test_every_object_of_the_default_and_simulator_installs_is_accepted(cluster: Cluster) -> None:
    rendered = [d for d in yaml.safe_load_all(kustomize(cluster.kubectl, WITH_SIMULATOR)) if d]

    out = _apply(cluster, str(DEFAULT))
    out += _apply(cluster, str(WITH_SIMULATOR))
    # Applying again is a no-op, not an error (immutable Job template, Service clusterIP, ...).
    again = _apply(cluster, str(WITH_SIMULATOR))

    for obj in rendered:
        reference = _reference(obj)
        got = cluster.run_kubectl("get", *reference, "-o", "json", check=False)
        assert got.returncode == 0, f"{' '.join(reference)} is missing after apply: {got.stderr}"
    assert len(again.strip().splitlines()) == len(rendered), out


def test_installed_crds_become_established(cluster: Cluster) -> None:
    _apply(cluster, str(DEFAULT))
    done = cluster.run_kubectl(
        "wait",
        "--for=condition=Established",
        "--timeout=60s",
        "crd",
        "-l",
        "app.kubernetes.io/part-of=kubenova",
        check=False,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) == len(resources.ALL), done.stdout


def test_pod_security_admission_would_flag_a_pod_that_breaks_restricted(cluster: Cluster) -> None:
    """The warning check above is live: the same namespace flags a root, privileged pod template."""
    _apply(cluster, str(DEFAULT))
    offender = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "not-restricted", "namespace": "kubenova-system"},
        "spec": {
            "selector": {"matchLabels": {"app": "x"}},
            "template": {
                "metadata": {"labels": {"app": "x"}},
                "spec": {
                    "containers": [{"name": "x", "image": "x", "securityContext": {"privileged": True}}]
                },
            },
        },
    }
    done = cluster.run_kubectl("apply", "--dry-run=server", "-f", "-", stdin=yaml.safe_dump(offender))
    assert "would violate PodSecurity" in done.stderr
