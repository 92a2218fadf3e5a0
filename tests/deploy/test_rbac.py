# Over 300 lines: three components' full lifecycles on their own ServiceAccounts, one cluster setup.
"""The manifests' RBAC is enough for each component, and no more.

The operator, the KubeVirt simulator, the identity bootstrap and the gateway run as real processes
authenticated only with tokens of their own ServiceAccounts (minted with the TokenRequest API, as
the kubelet would for their pods), against a control plane where `kubectl apply -k` installed the
manifests. They complete a server's lifecycle through the gateway's Nova API; none of their logs
may show a refused request. Then each identity is shown to be refused outside its role, with real
calls and SelfSubjectAccessReviews.

This test starts a control plane of its own: the session cluster may have another operator and
simulator running (other tests' fixtures), and two of either would fight over the same objects.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from kubenova_localstack.binaries import ensure_binaries
from kubenova_localstack.controlplane import ControlPlane
from kubenova_localstack.process import ManagedProcess, stop_all, stop_signals_as_interrupt
from kubenova_localstack.stack import existing_cluster_requested
from tests.deploy.conftest import WITH_SIMULATOR, kustomize
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

NAMESPACE = "kubenova-system"
ADMIN_PASSWORD = "rbac-admin-password"
DEFAULT_PASSWORD = "rbac-member-password"
ACCOUNTS = ("kubenova-operator", "kubenova-gateway", "kubenova-bootstrap", "kubevirt-simulator")
# What a refused request looks like in the components' logs (kubernetes client errors, kopf's
# warnings, the simulator's ApiError). Port numbers like 40308 must not match.
# An HTTP 403 as clients report it, not any "403" (log timestamps end in milliseconds like ",403").
REFUSAL = re.compile(r"forbidden|\(403\)|\"code\":\s*403|status[=: ]+403", re.IGNORECASE)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Deployment:
    """A control plane with the manifests applied and the components running as their accounts."""

    cluster: Cluster
    kubeconfigs: dict[str, Path]
    gateway_url: str
    liveness_url: str
    processes: dict[str, ManagedProcess] = field(default_factory=dict)
    bootstrap_output: str = ""

    def api_client(self, account: str) -> client.ApiClient:
        api_client: client.ApiClient = config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=str(self.kubeconfigs[account])
        )
        return api_client

    def logs(self, name: str) -> str:
        return self.processes[name].log_path.read_text(errors="replace")

    def log_tails(self) -> str:
        return "\n".join(f"--- {name}:\n{p.log_tail(30)}" for name, p in self.processes.items())

    def wait(self, predicate: Any, *, timeout: float, message: str) -> Any:
        """``wait_for`` that shows the components' logs when it times out."""
        try:
            return wait_for(predicate, timeout=timeout, interval=0.3, message=message)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.log_tails()}") from None

    def check_running(self) -> None:
        self.cluster.check()
        for name, process in self.processes.items():
            if not process.running:
                pytest.fail(f"{name} exited ({process.poll()}):\n{process.log_tail(60)}")


def _service_account_kubeconfig(cluster: Cluster, plane: ControlPlane, account: str, path: Path) -> Path:
    """A kubeconfig holding only the cluster CA and a TokenRequest token for ``account``."""
    token = cluster.run_kubectl("create", "token", account, "-n", NAMESPACE, "--duration=2h").stdout.strip()
    ca = base64.b64encode(plane.pki.serving_ca.read_bytes()).decode()
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "rbac", "cluster": {"server": plane.server, "certificate-authority-data": ca}}],
        "users": [{"name": account, "user": {"token": token}}],
        "contexts": [{"name": "rbac", "context": {"cluster": "rbac", "user": account}}],
        "current-context": "rbac",
    }
    path.write_text(json.dumps(kubeconfig))
    path.chmod(0o600)
    return path


def _component_env(kubeconfig: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBENOVA_", "KUBECONFIG"))}
    env["KUBECONFIG"] = str(kubeconfig)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _start(deployment: Deployment, name: str, account: str, argv: list[str], logs: Path) -> None:
    process = ManagedProcess(
        name,
        [sys.executable, *argv],
        log_path=logs / f"{name}.log",
        env=_component_env(deployment.kubeconfigs[account]),
    )
    deployment.processes[name] = process
    process.start()


def _http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    if existing_cluster_requested():
        pytest.skip("starts a control plane of its own; on kind the deployed pods exercise the same roles")
    bin_dir = ensure_binaries()
    state = tmp_path_factory.mktemp("rbac-controlplane", numbered=False)
    logs = state / "components"
    with stop_signals_as_interrupt():
        plane = ControlPlane(state, bin_dir)
        plane.start()
        env = {
            **os.environ,
            "KUBECONFIG": str(plane.kubeconfig),
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        }
        cluster = Cluster(plane.kubeconfig, env, bin_dir / "kubectl", bin_dir, plane)
        deployment = Deployment(
            cluster,
            kubeconfigs={},
            gateway_url=f"http://127.0.0.1:{_free_port()}",
            liveness_url=f"http://127.0.0.1:{_free_port()}/healthz",
        )
        try:
            cluster.run_kubectl("apply", "-k", str(WITH_SIMULATOR), "--server-side", timeout=180)
            cluster.run_kubectl(
                "wait",
                "--for=condition=Established",
                "--timeout=60s",
                "crd",
                "-l",
                "app.kubernetes.io/part-of=kubenova",
            )
            for account in ACCOUNTS:
                deployment.kubeconfigs[account] = _service_account_kubeconfig(
                    cluster, plane, account, state / f"{account}.kubeconfig"
                )
            _launch(deployment, logs)
            yield deployment
        finally:
            stop_all(list(deployment.processes.values()), grace=10)
            plane.stop()


def _launch(deployment: Deployment, logs: Path) -> None:
    # The simulator first: it installs the kubevirt.io CRDs the operator watches.
    _start(
        deployment,
        "simulator",
        "kubevirt-simulator",
        ["-m", "kubevirt_simulator", "--nodes", "2", "--phase-delay", "0.1"],
        logs,
    )
    cluster = deployment.cluster
    wait_for(
        lambda: cluster.run_kubectl("get", "nodes", "-o", "name", check=False).stdout.count("node/") == 2,
        timeout=60,
        interval=0.5,
        message="the simulator (as kubevirt-simulator) registers 2 Nodes",
    )
    cluster.run_kubectl(
        "wait", "--for=condition=Established", "--timeout=60s", "crd/virtualmachines.kubevirt.io"
    )
    bootstrap = subprocess.run(
        [
            sys.executable,
            "-m",
            "kubenova_api",
            "bootstrap",
            f"--admin-password={ADMIN_PASSWORD}",
            f"--default-password={DEFAULT_PASSWORD}",
            "--bcrypt-rounds=4",
        ],
        env=_component_env(deployment.kubeconfigs["kubenova-bootstrap"]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    deployment.bootstrap_output = bootstrap.stdout + bootstrap.stderr
    assert bootstrap.returncode == 0, (
        f"bootstrap as kubenova-bootstrap failed:\n{deployment.bootstrap_output}"
    )
    _start(
        deployment,
        "operator",
        "kubenova-operator",
        ["-m", "kubenova", f"--liveness={deployment.liveness_url}"],
        logs,
    )
    port = deployment.gateway_url.rsplit(":", 1)[1]
    _start(
        deployment,
        "gateway",
        "kubenova-gateway",
        ["-m", "kubenova_api", "--host", "127.0.0.1", "--port", port],
        logs,
    )

    def up() -> bool:
        deployment.check_running()
        return _http_ok(deployment.gateway_url + _gateway_probe_path(cluster)) and _http_ok(
            deployment.liveness_url
        )

    deployment.wait(up, timeout=120, message="gateway (its probe path) and operator (liveness) answer")


def _gateway_probe_path(cluster: Cluster) -> str:
    """The path the manifests' readiness probe asks the gateway for: it must really answer 200."""
    for obj in yaml.safe_load_all(kustomize(cluster.kubectl, WITH_SIMULATOR)):
        if obj and obj["kind"] == "Deployment" and obj["metadata"]["name"] == "kubenova-gateway":
            path: str = obj["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["path"]
            return path
    raise AssertionError("no kubenova-gateway Deployment in the manifests")


# ----- the lifecycle --------------------------------------------------------------------------


def _admin_apply(cluster: Cluster, manifest: dict[str, Any]) -> None:
    cluster.run_kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps(manifest))


def _keystone_token(gateway_url: str, user: str, password: str, project: str) -> str:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "domain": {"name": "Default"}, "password": password}},
            },
            "scope": {"project": {"name": project, "domain": {"name": "Default"}}},
        }
    }
    response = httpx.post(f"{gateway_url}/identity/v3/auth/tokens", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


@pytest.fixture(scope="module")
def catalog(deployment: Deployment) -> str:
    """Flavor m1.tiny (id 1) and Image cirros, created by the cloud admin with kubectl; the image id."""
    cluster = deployment.cluster
    _admin_apply(
        cluster,
        {
            "apiVersion": "compute.kubenova.io/v1alpha1",
            "kind": "Flavor",
            "metadata": {"name": "m1.tiny"},
            "spec": {"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1},
        },
    )
    _admin_apply(
        cluster,
        {
            "apiVersion": "compute.kubenova.io/v1alpha1",
            "kind": "Image",
            "metadata": {"name": "cirros"},
            "spec": {
                "name": "cirros",
                "containerDisk": {"image": "quay.io/kubevirt/cirros-container-disk-demo:v1.4.0"},
                "visibility": "public",
            },
        },
    )
    return cluster.run_kubectl(
        "get", "image.compute.kubenova.io", "cirros", "-o", "jsonpath={.metadata.uid}"
    ).stdout


def _assert_nothing_refused(deployment: Deployment) -> None:
    """No component's log shows a request the API server refused (403 Forbidden)."""
    deployment.check_running()
    for name in deployment.processes:
        log = deployment.logs(name)
        refused = [line for line in log.splitlines() if REFUSAL.search(line)]
        assert not refused, f"{name} was refused requests its role should allow:\n" + "\n".join(refused[:20])


def _vm_names(cluster: Cluster, namespace: str) -> str:
    return cluster.run_kubectl(
        "get", "virtualmachines.kubevirt.io", "-n", namespace, "-o", "name"
    ).stdout.strip()


def test_a_kubectl_server_runs_stops_and_goes_with_operator_and_simulator_on_their_accounts(
    deployment: Deployment, catalog: str
) -> None:
    """The kubectl path (no gateway): a Server object applied by a user."""
    cluster = deployment.cluster
    server = {
        "apiVersion": "compute.kubenova.io/v1alpha1",
        "kind": "Server",
        "metadata": {"name": "kubectl-1", "namespace": "alt"},
        "spec": {"name": "kubectl-1", "flavor": "m1.tiny", "image": "cirros", "powerState": "Running"},
    }
    _admin_apply(cluster, server)

    def status() -> dict[str, Any]:
        deployment.check_running()
        done = cluster.run_kubectl(
            "get", "server.compute.kubenova.io", "kubectl-1", "-n", "alt", "-o", "json"
        )
        current: dict[str, Any] = json.loads(done.stdout).get("status") or {}
        assert current.get("status") != "ERROR", current
        return current

    active = deployment.wait(
        lambda: (s := status()).get("status") == "ACTIVE" and s, timeout=120, message="ACTIVE"
    )
    assert active["host"].startswith("sim-node-"), active
    assert active["networks"], active
    cluster.run_kubectl(
        "patch",
        "server.compute.kubenova.io",
        "kubectl-1",
        "-n",
        "alt",
        "--type=merge",
        "-p",
        '{"spec":{"powerState":"Stopped"}}',
    )
    deployment.wait(lambda: status().get("status") == "SHUTOFF", timeout=120, message="SHUTOFF")
    cluster.run_kubectl("delete", "server.compute.kubenova.io", "kubectl-1", "-n", "alt", "--wait=false")
    deployment.wait(lambda: not _vm_names(cluster, "alt"), timeout=120, message="its VirtualMachine deleted")
    deployment.wait(
        lambda: (
            cluster.run_kubectl("get", "server.compute.kubenova.io", "-n", "alt", "-o", "name").stdout == ""
        ),
        timeout=120,
        message="the Server's finalizer removed",
    )
    _assert_nothing_refused(deployment)


def test_a_server_lifecycle_through_the_gateway_with_each_component_on_its_own_account(
    deployment: Deployment, catalog: str
) -> None:
    cluster = deployment.cluster
    image_id = catalog
    token = _keystone_token(deployment.gateway_url, "demo-member", DEFAULT_PASSWORD, "demo")
    nova = httpx.Client(
        base_url=f"{deployment.gateway_url}/compute/v2.1",
        headers={"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.79"},
        timeout=30,
    )
    created = nova.post(
        "/servers",
        json={"server": {"name": "rbac-1", "imageRef": image_id, "flavorRef": "1", "networks": "auto"}},
    )
    assert created.status_code == 202, created.text
    server_id = created.json()["server"]["id"]

    def status() -> dict[str, Any]:
        deployment.check_running()
        response = nova.get(f"/servers/{server_id}")
        assert response.status_code == 200, response.text
        server: dict[str, Any] = response.json()["server"]
        assert server["status"] != "ERROR", server
        return server

    active = deployment.wait(
        lambda: (s := status())["status"] == "ACTIVE" and s, timeout=120, message="server ACTIVE"
    )
    assert active["addresses"], active
    # The VM exists in the project's namespace, created by the operator's account.
    assert cluster.run_kubectl(
        "get", "virtualmachines.kubevirt.io", "-n", "demo", "-o", "name"
    ).stdout.strip()

    # The serial console log: the gateway lists the launcher pod and reads pods/log (its account).
    console = nova.post(f"/servers/{server_id}/action", json={"os-getConsoleOutput": {"length": 1}})
    assert console.status_code == 200, console.text
    assert console.json()["output"].endswith(" login: "), console.text
    # changePassword PUTs the guest-password Secret (allowed; it does not exist for this image).
    password = nova.post(f"/servers/{server_id}/action", json={"changePassword": {"adminPass": "x"}})
    assert password.status_code == 409, password.text
    assert password.json()["conflictingRequest"]["message"] == "QEMU guest agent is not enabled"

    stopped = nova.post(f"/servers/{server_id}/action", json={"os-stop": None})
    assert stopped.status_code == 202, stopped.text
    deployment.wait(lambda: status()["status"] == "SHUTOFF", timeout=120, message="server SHUTOFF")

    deleted = nova.delete(f"/servers/{server_id}")
    assert deleted.status_code == 204, deleted.text
    deployment.wait(
        lambda: nova.get(f"/servers/{server_id}").status_code == 404, timeout=120, message="server gone"
    )
    deployment.wait(
        lambda: (
            not cluster.run_kubectl(
                "get", "virtualmachines.kubevirt.io", "-n", "demo", "-o", "name"
            ).stdout.strip()
        ),
        timeout=60,
        message="its VirtualMachine deleted",
    )

    _assert_nothing_refused(deployment)


# ----- refusals -------------------------------------------------------------------------------


def _allowed(api_client: client.ApiClient, attributes: dict[str, str]) -> bool:
    review = client.V1SelfSubjectAccessReview(
        spec=client.V1SelfSubjectAccessReviewSpec(
            resource_attributes=client.V1ResourceAttributes(**attributes)
        )
    )
    result = client.AuthorizationV1Api(api_client).create_self_subject_access_review(review)
    assert result.status is not None
    return bool(result.status.allowed)


@pytest.mark.parametrize(
    ("account", "attributes", "allowed"),
    [
        # Sanity: each account can do the core of its job.
        (
            "kubenova-operator",
            {
                "group": "compute.kubenova.io",
                "resource": "servers",
                "subresource": "status",
                "verb": "patch",
                "namespace": "demo",
            },
            True,
        ),
        (
            "kubenova-gateway",
            {"group": "compute.kubenova.io", "resource": "servers", "verb": "create", "namespace": "demo"},
            True,
        ),
        (
            "kubevirt-simulator",
            {
                "group": "kubevirt.io",
                "resource": "virtualmachineinstances",
                "verb": "create",
                "namespace": "demo",
            },
            True,
        ),
        ("kubenova-bootstrap", {"resource": "namespaces", "verb": "create"}, True),
        # The operator never reads Secrets, creates Servers or creates Nodes.
        ("kubenova-operator", {"resource": "secrets", "verb": "get", "namespace": NAMESPACE}, False),
        ("kubenova-operator", {"resource": "secrets", "verb": "list"}, False),
        ("kubenova-operator", {"resource": "secrets", "verb": "patch", "namespace": "demo"}, False),
        ("kubenova-operator", {"resource": "secrets", "verb": "delete", "namespace": "demo"}, False),
        (
            "kubenova-operator",
            {"group": "compute.kubenova.io", "resource": "servers", "verb": "create", "namespace": "demo"},
            False,
        ),
        ("kubenova-operator", {"resource": "nodes", "verb": "create"}, False),
        # DataVolumes are watched (build progress, import failures); the operator creates only a
        # snapshot's clone and deletes only a rebuild's old disks (virt-controller creates the rest).
        ("kubenova-operator", {"group": "cdi.kubevirt.io", "resource": "datavolumes", "verb": "watch"}, True),
        (
            "kubenova-operator",
            {"group": "cdi.kubevirt.io", "resource": "datavolumes", "verb": "update", "namespace": "demo"},
            False,
        ),
        ("kubenova-operator", {"resource": "persistentvolumeclaims", "verb": "list"}, False),
        # The simulated provisioner deletes released PVs; claims go with their DataVolume (GC).
        ("kubevirt-simulator", {"resource": "persistentvolumes", "verb": "delete"}, True),
        (
            "kubevirt-simulator",
            {"resource": "persistentvolumeclaims", "verb": "delete", "namespace": "demo"},
            False,
        ),
        # The gateway never deletes Nodes, writes status, touches KubeVirt or reads foreign Secrets.
        ("kubenova-gateway", {"resource": "nodes", "verb": "delete"}, False),
        (
            "kubenova-gateway",
            {
                "group": "compute.kubenova.io",
                "resource": "servers",
                "subresource": "status",
                "verb": "patch",
                "namespace": "demo",
            },
            False,
        ),
        (
            "kubenova-gateway",
            {"group": "kubevirt.io", "resource": "virtualmachines", "verb": "create", "namespace": "demo"},
            False,
        ),
        (
            "kubenova-gateway",
            {"resource": "secrets", "verb": "get", "namespace": NAMESPACE, "name": "kubenova-bootstrap"},
            False,
        ),
        ("kubenova-gateway", {"resource": "secrets", "verb": "list", "namespace": NAMESPACE}, False),
        (
            "kubenova-gateway",
            {"resource": "secrets", "verb": "get", "namespace": "demo", "name": "kubenova-identity"},
            False,
        ),
        (
            "kubenova-gateway",
            {"resource": "secrets", "verb": "patch", "namespace": NAMESPACE, "name": "kubenova-identity"},
            False,
        ),
        ("kubenova-gateway", {"resource": "namespaces", "verb": "delete"}, False),
        # The simulator never reads Secrets or touches kubenova's kinds.
        ("kubevirt-simulator", {"resource": "secrets", "verb": "get", "namespace": NAMESPACE}, False),
        (
            "kubevirt-simulator",
            {"group": "compute.kubenova.io", "resource": "servers", "verb": "get", "namespace": "demo"},
            False,
        ),
        ("kubevirt-simulator", {"resource": "nodes", "verb": "delete"}, False),
        (
            "kubevirt-simulator",
            {
                "group": "coordination.k8s.io",
                "resource": "leases",
                "verb": "patch",
                "namespace": "kube-system",
            },
            False,
        ),
        # Bootstrap only writes the identity Secrets and creates namespaces.
        (
            "kubenova-bootstrap",
            {"resource": "secrets", "verb": "get", "namespace": NAMESPACE, "name": "kubenova-bootstrap"},
            False,
        ),
        (
            "kubenova-bootstrap",
            {"group": "compute.kubenova.io", "resource": "servers", "verb": "list"},
            False,
        ),
        ("kubenova-bootstrap", {"resource": "namespaces", "verb": "delete"}, False),
    ],
)
def test_self_subject_access_reviews(
    deployment: Deployment, account: str, attributes: dict[str, str], allowed: bool
) -> None:
    with deployment.api_client(account) as api_client:
        assert _allowed(api_client, attributes) is allowed


def _refused(call: Any, *args: Any, **kwargs: Any) -> None:
    with pytest.raises(ApiException) as refused:
        call(*args, **kwargs)
    assert refused.value.status == 403, refused.value


def test_real_calls_outside_each_role_are_refused(deployment: Deployment) -> None:
    with deployment.api_client("kubenova-gateway") as gateway:
        core = client.CoreV1Api(gateway)
        node = core.list_node().items[0]  # reading Nodes is part of its job
        assert node.metadata is not None
        _refused(core.delete_node, node.metadata.name)
        _refused(core.list_namespaced_secret, NAMESPACE)
        _refused(core.read_namespaced_secret, "kubenova-bootstrap", NAMESPACE)
        # Its cluster-wide Secret update is narrowed by admission to servers' admin-password Secrets.
        decoy = client.V1Secret(
            metadata=client.V1ObjectMeta(name="kubenova-bootstrap"), string_data={"a": "b"}
        )
        _refused(core.replace_namespaced_secret, "kubenova-bootstrap", NAMESPACE, decoy)
        # Its own Secrets, by name (and listed with the field selector its informers use).
        assert core.read_namespaced_secret("kubenova-identity", NAMESPACE).data
        listed = core.list_namespaced_secret(NAMESPACE, field_selector="metadata.name=kubenova-identity")
        assert [s.metadata.name for s in listed.items if s.metadata] == ["kubenova-identity"]
    with deployment.api_client("kubevirt-simulator") as simulator:
        core = client.CoreV1Api(simulator)
        _refused(core.read_namespaced_secret, "kubenova-identity", NAMESPACE)
        _refused(core.list_secret_for_all_namespaces)
        custom = client.CustomObjectsApi(simulator)
        _refused(custom.list_cluster_custom_object, "compute.kubenova.io", "v1alpha1", "servers")
    with deployment.api_client("kubenova-operator") as operator:
        core = client.CoreV1Api(operator)
        _refused(core.read_namespaced_secret, "kubenova-identity", NAMESPACE)
        _refused(core.list_secret_for_all_namespaces)
        _refused(core.create_node, client.V1Node(metadata=client.V1ObjectMeta(name="intruder")))
    with deployment.api_client("kubenova-bootstrap") as bootstrap:
        core = client.CoreV1Api(bootstrap)
        _refused(core.read_namespaced_secret, "kubenova-bootstrap", NAMESPACE)
        _refused(core.list_node)


def test_tokens_authenticate_as_the_service_accounts(deployment: Deployment) -> None:
    for account, path in deployment.kubeconfigs.items():
        done = subprocess.run(
            [
                str(deployment.cluster.kubectl),
                "--kubeconfig",
                str(path),
                "auth",
                "whoami",
                "-o",
                "jsonpath={.status.userInfo.username}",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        assert done.stdout == f"system:serviceaccount:{NAMESPACE}:{account}"
