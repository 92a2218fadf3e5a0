"""The session control plane behaves like a real cluster where kubenova depends on it.

Namespace deletion and ownerReference cascades need kube-controller-manager; RBAC needs the client
CA and RBAC authorizer; CRDs must be served. These run against the real apiserver, never a mock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.support.cluster import Cluster
from tests.support.wait import wait_for


@pytest.fixture
def core(cluster: Cluster) -> Iterator[client.CoreV1Api]:
    with cluster.connected() as api_client:
        yield client.CoreV1Api(api_client)


def _gone(read: Callable[[], object]) -> bool:
    try:
        read()
    except ApiException as exc:
        if exc.status == 404:
            return True
        raise
    return False


def test_kubectl_is_the_projects_own(cluster: Cluster) -> None:
    assert cluster.kubectl.parent == cluster.bin_dir
    assert cluster.env["PATH"].split(":")[0] == str(cluster.bin_dir)
    version = cluster.run_kubectl("version", "--client", "-o", "json").stdout
    assert '"gitVersion": "v1.36' in version
    assert cluster.run_kubectl("get", "--raw", "/readyz").stdout == "ok"


def test_namespace_deletion_completes(cluster: Cluster, core: client.CoreV1Api) -> None:
    name = "t-delete-me"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    core.create_namespaced_config_map(
        name, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="content"), data={"a": "b"})
    )
    core.delete_namespace(name)
    # Without the namespace controller it would stay Terminating forever.
    wait_for(
        lambda: _gone(lambda: core.read_namespace(name)),
        timeout=90,
        interval=0.5,
        message=f"namespace {name} never finished terminating",
    )


def test_owner_reference_cascade_deletes_the_dependent(namespace: str, core: client.CoreV1Api) -> None:
    owner = core.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="owner"))
    )
    assert owner.metadata is not None
    owner_uid = owner.metadata.uid
    dependent_meta = client.V1ObjectMeta(
        name="dependent",
        owner_references=[
            client.V1OwnerReference(api_version="v1", kind="ConfigMap", name="owner", uid=owner_uid)
        ],
    )
    core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=dependent_meta))
    core.delete_namespaced_config_map("owner", namespace, propagation_policy="Background")
    wait_for(
        lambda: _gone(lambda: core.read_namespaced_config_map("dependent", namespace)),
        timeout=90,
        interval=0.5,
        message="the garbage collector never deleted the dependent ConfigMap",
    )


def test_rbac_is_enforced_for_issued_users(cluster: Cluster, namespace: str) -> None:
    nobody = cluster.issue_client_cert("nobody", ["kubenova:testers"])
    with cluster.connected(nobody) as api_client, pytest.raises(ApiException) as denied:
        client.CoreV1Api(api_client).list_namespaced_config_map(namespace)
    assert denied.value.status == 403
    assert "nobody" in str(denied.value.body)

    admin = cluster.issue_client_cert("root-ish", ["system:masters"])
    with cluster.connected(admin) as api_client:
        client.CoreV1Api(api_client).list_namespaced_config_map(namespace)


def test_namespace_fixture_gives_an_active_namespace(namespace: str, core: client.CoreV1Api) -> None:
    assert namespace.startswith("t-")
    status = core.read_namespace(namespace).status
    assert status is not None
    assert status.phase == "Active"


def test_crds_are_established(cluster: Cluster, crds_installed: list[str]) -> None:
    if not crds_installed:
        pytest.skip("crds/ has no CRDs yet")
    with cluster.connected() as api_client:
        ext = client.ApiextensionsV1Api(api_client)
        for name in crds_installed:
            status = ext.read_custom_resource_definition(name).status
            assert status is not None
            conditions = status.conditions or []
            assert any(c.type == "Established" and c.status == "True" for c in conditions), name
