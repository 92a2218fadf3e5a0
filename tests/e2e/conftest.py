"""The end-to-end scenarios' one fixture, ``stack``: a cluster where kubenova serves users.

The scenarios are written once and run in two places; only this fixture differs:

* here (``make test``): the session's local control plane with the KubeVirt simulator, the
  operator and the gateway running as the other fixtures start them;
* on kind with real KubeVirt (``make e2e-kind``, ``hack/e2e-kind.sh``): the existing cluster
  (``KUBENOVA_EXISTING_CLUSTER=1``, ``KUBECONFIG``) where ``kubectl apply -k`` deployed kubenova,
  reached through a port-forward (``KUBENOVA_E2E_GATEWAY_URL``) with the passwords the script
  gave the bootstrap Job (``KUBENOVA_E2E_ADMIN_PASSWORD``, ``KUBENOVA_E2E_DEFAULT_PASSWORD``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kubenova_api.identity.bootstrap import DEFAULT_USERS
from tests.support.cluster import Cluster

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "manifests" / "samples"
CLOUD_NAME = "kubenova"


@dataclass(frozen=True)
class Stack:
    """Where the scenarios find kubenova, and how long real guests may take."""

    cluster: Cluster
    gateway_url: str
    passwords: dict[str, str]
    real_kubevirt: bool

    @property
    def boot_timeout(self) -> float:
        # Emulated (no KVM) guests on kind pull a containerDisk and boot QEMU in software.
        return 900.0 if self.real_kubevirt else 90.0

    def project_of(self, user: str) -> str:
        return next(project for name, project, _ in DEFAULT_USERS if name == user)

    def clouds_yaml(self, path: Path, user: str) -> Path:
        cloud = {
            "auth": {
                "auth_url": f"{self.gateway_url}/identity/v3",
                "username": user,
                "password": self.passwords[user],
                "project_name": self.project_of(user),
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            "identity_api_version": 3,
        }
        path.write_text(yaml.safe_dump({"clouds": {CLOUD_NAME: cloud}}))
        return path

    def openstack_env(self, clouds_yaml: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update({"OS_CLIENT_CONFIG_FILE": str(clouds_yaml), "OS_CLOUD": CLOUD_NAME})
        return env


def _deployed_gateway() -> str | None:
    return os.environ.get("KUBENOVA_E2E_GATEWAY_URL") or None


@pytest.fixture(scope="session")
def stack(request: pytest.FixtureRequest, cluster: Cluster) -> Iterator[Stack]:
    url = _deployed_gateway()
    if url is not None:
        admin = os.environ.get("KUBENOVA_E2E_ADMIN_PASSWORD")
        default = os.environ.get("KUBENOVA_E2E_DEFAULT_PASSWORD")
        if not admin or not default:
            pytest.fail("KUBENOVA_E2E_GATEWAY_URL needs KUBENOVA_E2E_ADMIN_PASSWORD and _DEFAULT_PASSWORD")
        passwords = {name: default for name, _, _ in DEFAULT_USERS} | {"admin": admin}
        real = os.environ.get("KUBENOVA_E2E_REAL_KUBEVIRT", "") not in ("", "0", "false")
        yield Stack(cluster, url.rstrip("/"), passwords, real_kubevirt=real)
        return
    if cluster.control_plane is None:
        pytest.skip(
            "on an existing cluster the scenarios need the deployed gateway (KUBENOVA_E2E_GATEWAY_URL)"
        )
    # Locally: the same processes `make run` starts, as the other fixtures run them.
    request.getfixturevalue("simulator")
    request.getfixturevalue("operator")
    gateway = request.getfixturevalue("gateway")
    yield Stack(cluster, gateway.url, dict(gateway.passwords), real_kubevirt=False)


@pytest.fixture
def project_namespace(stack: Stack) -> str:
    """The namespace of project ``demo`` (bootstrap creates it), where demo-member's servers live."""
    return "demo"


@pytest.fixture
def unique() -> str:
    return secrets.token_hex(3)
