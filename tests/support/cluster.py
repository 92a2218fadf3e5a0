"""The handle tests get for the real cluster they run against (see ``tests/fixtures/cluster.py``)."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from kubernetes import client, config

from kubenova_localstack.controlplane import ClientIdentity, ControlPlane


def _client_from(kubeconfig: Path) -> client.ApiClient:
    # persist_config=False: never write back into a kubeconfig other processes read concurrently.
    api: client.ApiClient = config.new_client_from_config(  # type: ignore[no-untyped-call]
        config_file=str(kubeconfig), persist_config=False
    )
    return api


@dataclass
class Cluster:
    """A running cluster: the local control plane, or an existing one (KUBENOVA_EXISTING_CLUSTER=1).

    ``env`` is ``os.environ`` plus ``KUBECONFIG`` and a ``PATH`` that finds the project's kubectl
    first: pass it to any subprocess that should talk to this cluster.
    """

    kubeconfig: Path
    env: dict[str, str]
    kubectl: Path
    bin_dir: Path
    control_plane: ControlPlane | None

    def api_client(self) -> client.ApiClient:
        """A new, independently configured API client for the admin user (close it when done)."""
        return _client_from(self.kubeconfig)

    @contextlib.contextmanager
    def connected(self, identity: ClientIdentity | None = None) -> Iterator[client.ApiClient]:
        """An API client (admin, or ``identity``) that is closed when the block ends."""
        api = _client_from(identity.kubeconfig if identity else self.kubeconfig)
        try:
            yield api
        finally:
            api.close()  # type: ignore[no-untyped-call]

    def issue_client_cert(self, user: str, groups: Sequence[str] = ()) -> ClientIdentity:
        """Credentials (kubeconfig + cert/key) for another user, e.g. to test RBAC.

        Only the local control plane has a client CA we hold; on an existing cluster the test is
        skipped.
        """
        if self.control_plane is None:
            pytest.skip("issuing client certificates needs the local control plane")
        return self.control_plane.issue_client(user, groups)

    def api_client_for(self, identity: ClientIdentity) -> client.ApiClient:
        """Like :meth:`api_client`, authenticated as ``identity`` (see :meth:`issue_client_cert`)."""
        return _client_from(identity.kubeconfig)

    def run_kubectl(
        self, *args: str, check: bool = True, stdin: str | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """Run the project's kubectl against this cluster; output is captured as text."""
        return subprocess.run(
            [str(self.kubectl), *args],
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=self.env,
            check=check,
            timeout=timeout,
        )

    def check(self) -> None:
        """Fail fast with the component's log if part of the local control plane died."""
        if self.control_plane is not None:
            self.control_plane.check()
