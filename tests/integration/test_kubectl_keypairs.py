"""Keypairs on the kubectl path (issue 12 item 3): a namespace-scoped editor of Servers gets its own
or a shared keypair injected, never another user's. The admission policy binds ``spec.userId`` to
the requester (tests/crds/test_server_policy.py); the operator resolves ``spec.keyName`` only
among the keypairs of ``spec.userId`` and the ownerless ones, so another user's keypair leaves the
server in ERROR without a VM, and nothing of that key reaches a Secret or the VM.
"""

from __future__ import annotations

import pytest
import yaml
from kubernetes import client

from tests.crds.test_server_policy import NOT_YOURS, USER, Kubectl, bind
from tests.integration.compute import Compute
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

BOB_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP9cEdulSrvmb1IxLUTE8xD0CMtu5jjTVUF2LMCoOjfY bob@example"
SHARED_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO6CKe20jgnqrJrPKRNs4wL0TjH1rH5RWKhrq5L33Bio shared@example"


@pytest.fixture
def editor(cluster: Cluster, compute: Compute) -> Kubectl:
    with cluster.connected() as api:
        rbac = client.RbacAuthorizationV1Api(api)
        rule = {"apiGroups": ["compute.kubenova.io"], "resources": ["servers"], "verbs": ["get", "create"]}
        rbac.create_namespaced_role(
            compute.namespace, {"metadata": {"name": "server-editor"}, "rules": [rule]}
        )
        bind(rbac, compute.namespace, "server-editor", "Role")
    identity = cluster.issue_client_cert(USER)
    return Kubectl(cluster, str(identity.kubeconfig), compute.namespace)


def test_an_editor_gets_a_shared_keypair_but_never_another_users(editor: Kubectl, compute: Compute) -> None:
    flavor, image = compute.flavor(), compute.image()
    bobs = compute.keypair(BOB_KEY, userId="bob-keystone-id")
    shared = compute.keypair(SHARED_KEY)

    refused = editor.run(
        "create", "-f", "-",
        stdin=_server("as-bob", flavor, image, keyName=bobs, userId="bob-keystone-id"),
    )  # fmt: skip
    assert refused.returncode != 0
    assert NOT_YOURS in refused.stderr

    done = editor.run("create", "-f", "-", stdin=_server("bobs-key", flavor, image, keyName=bobs))
    assert done.returncode == 0, done.stderr
    failed = compute.wait_status("bobs-key", "ERROR")
    assert failed["status"]["fault"]["message"] == f"Keypair {bobs} not found for user (none)"
    assert compute.vm("bobs-key") is None

    done = editor.run("create", "-f", "-", stdin=_server("shared-key", flavor, image, keyName=shared))
    assert done.returncode == 0, done.stderr
    compute.wait_status("shared-key", "ACTIVE")
    vm = wait_for(lambda: compute.vm("shared-key"), timeout=30, message="VM of shared-key")
    assert vm is not None
    assert BOB_KEY not in str(vm)


def _server(name: str, flavor: str, image: str, **spec: str) -> str:
    body = {
        "apiVersion": "compute.kubenova.io/v1alpha1",
        "kind": "Server",
        "metadata": {"name": name},
        "spec": {"flavor": flavor, "image": image, **spec},
    }
    return str(yaml.safe_dump(body))
