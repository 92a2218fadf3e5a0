"""Quotas hold on every path at once (issue 12 item 1): 200 concurrent creates in one project,
through two gateway replicas and straight to the API server (the kubectl path) together, never
put more servers on VMs than the project's instances, cores and RAM quotas allow.

The gateway's check is the fast path (Nova's 403); the guarantee is the operator's recheck under
its placement lock: a server over quota goes to ERROR with Nova's fault and never gets a VM.
The servers are tiny (1-2 vCPUs, 64-128 MiB) and the simulator's phases short.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

import httpx
import pytest
import uvicorn
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from kubenova.domain import quotas
from kubenova.resources import GROUP, VERSION
from kubenova_api.app import create_app
from tests.api.test_server_support import create_flavor, create_image, delete_flavor, delete_image
from tests.fixtures.gateway import GatewayHandle, _free_port
from tests.fixtures.operator import OperatorHandle
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

PROJECT, USER = "alt", "alt-member"
LIMITS = {"instances": 8, "cores": 11, "ram": 768}
CREATES = {"gateway-a": 70, "gateway-b": 70, "kubectl": 60}
SERVERS = "/compute/v2.1/servers"
QUOTA_FAULT = "Quota exceeded for "


@pytest.fixture
def second_gateway(gateway: GatewayHandle, cluster: Cluster) -> Iterator[str]:
    """Another replica of the gateway (same settings and cluster, its own caches and process
    state), as a second Deployment replica would be."""
    api_client = cluster.api_client()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(gateway.settings, api_client=api_client), host="127.0.0.1", port=port)
    )
    thread = threading.Thread(target=server.run, name="gateway-b", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: server.started, timeout=60, message="second gateway started")
    wait_for(
        lambda: (
            httpx.get(f"{url}/compute/v2.1/flavors", headers=_auth(gateway), timeout=10).status_code == 200
        ),
        timeout=60,
        message="second gateway's caches synced",
    )
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        api_client.close()  # type: ignore[no-untyped-call]


def _auth(gateway: GatewayHandle) -> dict[str, str]:
    return {"X-Auth-Token": gateway.token(USER, PROJECT)}


@dataclass
class Project:
    namespace: str
    custom: client.CustomObjectsApi
    operator: OperatorHandle

    def servers(self) -> list[dict[str, Any]]:
        listing = self.custom.list_namespaced_custom_object(GROUP, VERSION, self.namespace, "servers")
        return cast("list[dict[str, Any]]", listing["items"])

    def vms(self) -> list[dict[str, Any]]:
        listing = self.custom.list_namespaced_custom_object(
            "kubevirt.io", "v1", self.namespace, "virtualmachines"
        )
        return cast("list[dict[str, Any]]", listing["items"])

    def delete_all(self) -> None:
        for server in self.servers():
            try:
                self.custom.delete_namespaced_custom_object(
                    GROUP, VERSION, self.namespace, "servers", server["metadata"]["name"]
                )
            except ApiException as exc:
                if exc.status != 404:
                    raise


@pytest.fixture
def project(gateway: GatewayHandle, cluster: Cluster, operator: OperatorHandle) -> Iterator[Project]:
    """The ``alt`` project, empty, with the test's limits (reset to the defaults afterwards)."""
    namespace = gateway.directory.namespace_for(gateway.project_id(PROJECT))
    assert namespace
    with cluster.connected() as api:
        found = Project(namespace, client.CustomObjectsApi(api), operator)
        found.delete_all()  # nothing another test left behind may count
        wait_for(lambda: not found.servers(), timeout=120, message=f"{namespace} empty")
        quota_url = f"/compute/v2.1/os-quota-sets/{gateway.project_id(PROJECT)}"
        set_limits(gateway, api, operator, LIMITS)
        try:
            yield found
        finally:
            found.delete_all()
            wait_for(lambda: not found.servers(), timeout=180, message=f"{namespace} emptied")
            with gateway.client("admin") as admin:
                admin.delete(quota_url)


def set_limits(
    gateway: GatewayHandle, api: client.ApiClient, operator: OperatorHandle, limits: dict[str, int]
) -> None:
    """Set the project's limits through the API and wait until the operator has them."""
    quota_url = f"/compute/v2.1/os-quota-sets/{gateway.project_id(PROJECT)}"
    with gateway.client("admin") as admin:
        response = admin.put(quota_url, json={"quota_set": limits})
        assert response.status_code == 200, response.text
    config = client.CoreV1Api(api).read_namespaced_config_map(
        quotas.CONFIGMAP, gateway.settings.identity_namespace
    )
    seen = f"Quota limits now at resourceVersion {config.metadata.resource_version}"
    wait_for(lambda: seen in operator.log_text(), timeout=30, message="the operator has the new limits")


@pytest.mark.parametrize("kill", [False, True], ids=["steady", "operator-killed"])
def test_two_hundred_concurrent_creates_on_three_paths_never_pass_the_quota(
    gateway: GatewayHandle,
    second_gateway: str,
    project: Project,
    cluster: Cluster,
    kill: bool,
) -> None:
    """``operator-killed``: the operator is SIGKILLed once the first servers are placed and
    started again while creates still arrive; decisions made before the kill are persisted with
    the placement (or the ERROR), so the restarted operator counts them and the limit holds."""
    image_id, image_object = create_image(cluster, gateway)
    small = create_flavor(gateway, vcpus=1, ram=64)
    large = create_flavor(gateway, vcpus=2, ram=128)
    sizes = {small: (1, 64), large: (2, 128)}
    answers: dict[str, list[httpx.Response]] = {"gateway-a": [], "gateway-b": []}
    kubectl_created: list[str] = []
    urls = {"gateway-a": gateway.url, "gateway-b": second_gateway}
    headers = _auth(gateway)
    # The API's creates first in the queue (each costs the gateway far more than a kubectl create
    # costs the API server), so both replicas' pre-checks race each other and then kubectl's.
    shuffle = random.Random(12).shuffle
    api_jobs = [(path, i) for path in ("gateway-a", "gateway-b") for i in range(CREATES[path])]
    kubectl_jobs = [("kubectl", i) for i in range(CREATES["kubectl"])]
    shuffle(api_jobs)
    shuffle(kubectl_jobs)
    jobs = api_jobs[:100] + [job for pair in zip(api_jobs[100:], kubectl_jobs, strict=False) for job in pair]
    jobs += kubectl_jobs[len(api_jobs) - 100 :]

    def create(job: tuple[str, int]) -> None:
        path, i = job
        flavor = small if i % 3 else large
        if path == "kubectl":
            body = {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": "Server",
                "metadata": {"name": f"kubectl-{i:03d}"},
                "spec": {"flavor": flavor, "image": image_object},
            }
            project.custom.create_namespaced_custom_object(GROUP, VERSION, project.namespace, "servers", body)
            kubectl_created.append(f"kubectl-{i:03d}")
            return
        server = {"name": f"{path}-{i:03d}", "imageRef": image_id, "flavorRef": flavor, "networks": "none"}
        response = httpx.post(
            urls[path] + SERVERS,
            json={"server": server},
            headers={**headers, "OpenStack-API-Version": "compute 2.37"},
            timeout=60,
        )
        answers[path].append(response)

    try:
        servers = run_burst(project, project.operator, create, jobs, kill=kill)
        check_outcome(project, servers, sizes, answers, kubectl_created)
    finally:
        project.delete_all()
        wait_for(lambda: not project.servers(), timeout=180, message="servers deleted")
        delete_flavor(gateway, small)
        delete_flavor(gateway, large)
        delete_image(cluster, image_object)


def run_burst(
    project: Project, operator: OperatorHandle, create: Any, jobs: list[tuple[str, int]], *, kill: bool
) -> list[dict[str, Any]]:
    """Every create at once (24 threads), the operator SIGKILLed and restarted meanwhile if
    ``kill``; the servers once each is ACTIVE or ERROR."""
    with ThreadPoolExecutor(max_workers=24) as pool:
        done = pool.map(create, jobs)
        if kill:
            wait_for(
                lambda: len(holders(project.servers())) >= 3,
                timeout=120,
                interval=0.1,
                message="the first servers placed",
            )
            operator.kill()
            operator.start()
        list(done)

    def settled() -> list[dict[str, Any]] | None:
        operator.check_alive()
        servers = project.servers()
        states = [(s.get("status") or {}).get("status") for s in servers]
        done = all(state in ("ACTIVE", "ERROR") for state in states)
        return servers if done and len(project.vms()) == len(holders(servers)) else None

    servers = wait_for(settled, timeout=300, interval=1.0, message="every server ACTIVE or ERROR")
    assert servers is not None
    return servers


def check_outcome(
    project: Project,
    servers: list[dict[str, Any]],
    sizes: dict[str, tuple[int, int]],
    answers: dict[str, list[httpx.Response]],
    kubectl_created: list[str],
) -> None:

    # What happened: the servers holding a placement, and the VMs that exist.
    held = holders(servers)
    vms = {vm["metadata"]["name"] for vm in project.vms()}
    assert vms == {s["metadata"]["name"] for s in held}, "a VM for a server that does not hold a placement"
    cores = sum(sizes[s["spec"]["flavor"]][0] for s in held)
    ram = sum(sizes[s["spec"]["flavor"]][1] for s in held)
    assert len(held) <= LIMITS["instances"]
    assert cores <= LIMITS["cores"]
    assert ram <= LIMITS["ram"]
    assert held, "nothing was built: the test proves nothing"
    assert all((s.get("status") or {}).get("status") == "ACTIVE" for s in held)

    # Every refusal carries Nova's answer: 403 at the API, the ERROR fault otherwise.
    api = [r for path in answers for r in answers[path]]
    assert len(api) == CREATES["gateway-a"] + CREATES["gateway-b"]
    assert {r.status_code for r in api} <= {202, 403}, [
        r.text for r in api if r.status_code not in (202, 403)
    ]
    refused = [r for r in api if r.status_code == 403]
    assert refused, "the gateway's pre-check refused nothing"
    assert len(refused) < len(api), "no create passed the gateway: only the kubectl path was tested"
    for response in refused:
        assert response.json()["forbidden"]["message"].startswith(QUOTA_FAULT), response.text
    errors = [s for s in servers if s["status"].get("status") == "ERROR"]
    assert len(servers) == len(held) + len(errors)
    for server in errors:
        fault = server["status"].get("fault") or {}
        assert str(fault.get("message", "")).startswith(QUOTA_FAULT), server["status"]
        assert not server["status"].get("host")
    by_path = dict.fromkeys(CREATES, 0)
    for server in servers:
        by_path[(server["spec"].get("name") or server["metadata"]["name"]).rsplit("-", 1)[0]] += 1
    assert by_path["kubectl"] == CREATES["kubectl"] == len(kubectl_created)
    print(f"held {len(held)} ({cores} cores, {ram} MiB); ERROR {len(errors)}; 403 {len(refused)}; {by_path}")


def holders(servers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Servers holding a placement (and so quota and capacity): a host recorded, not ERROR."""
    return [
        s for s in servers if (s.get("status") or {}).get("host") and s["status"].get("status") != "ERROR"
    ]


def test_a_resize_written_with_kubectl_is_rechecked_against_the_quota(
    gateway: GatewayHandle, project: Project, cluster: Cluster
) -> None:
    """The gateway refuses a resize over quota (403); one written straight into the Server's spec
    meets the operator's recheck of the growth: the resize fails with Nova's fault, the server
    keeps its flavor, host and VM."""
    image_id, image_object = create_image(cluster, gateway)
    small = create_flavor(gateway, vcpus=1, ram=64)
    huge = create_flavor(gateway, vcpus=LIMITS["cores"] + 1, ram=64)
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Server",
        "metadata": {"name": "grows"},
        "spec": {"flavor": small, "image": image_object},
    }
    custom = project.custom
    try:
        custom.create_namespaced_custom_object(GROUP, VERSION, project.namespace, "servers", body)

        def server() -> dict[str, Any]:
            found = custom.get_namespaced_custom_object(GROUP, VERSION, project.namespace, "servers", "grows")
            return cast("dict[str, Any]", found)

        wait_for(
            lambda: server().get("status", {}).get("status") == "ACTIVE", timeout=60, message="grows ACTIVE"
        )
        host, vm_before = server()["status"]["host"], _vm(project, "grows")
        patch = {"spec": {"flavor": huge, "resize": {"requestId": "req-grow"}}}
        custom.patch_namespaced_custom_object(GROUP, VERSION, project.namespace, "servers", "grows", patch)

        def failed() -> dict[str, Any] | None:
            found = server()
            records = [a for a in found["status"].get("actions", []) if a["requestId"] == "req-grow"]
            return found if records and records[0].get("result") == "Error" else None

        after = wait_for(failed, timeout=30, message="the resize refused")
        assert after is not None
        message = f"Quota exceeded for cores: Requested {LIMITS['cores']}, but already used 1 of 11 cores"
        assert after["status"]["fault"]["message"] == message
        assert (after["status"]["status"], after["status"]["host"]) == ("ACTIVE", host)
        assert after["status"]["flavor"]["vcpus"] == 1
        assert after["status"].get("resize") is None
        vm = _vm(project, "grows")
        assert vm["metadata"]["generation"] == vm_before["metadata"]["generation"]  # never touched
    finally:
        project.delete_all()
        wait_for(lambda: not project.servers(), timeout=120, message="servers deleted")
        delete_flavor(gateway, small)
        delete_flavor(gateway, huge)
        delete_image(cluster, image_object)
        assert image_id


def _vm(project: Project, name: str) -> dict[str, Any]:
    found = project.custom.get_namespaced_custom_object(
        "kubevirt.io", "v1", project.namespace, "virtualmachines", name
    )
    return cast("dict[str, Any]", found)


def test_a_shelved_offloaded_server_keeps_its_quota(
    gateway: GatewayHandle, project: Project, cluster: Cluster
) -> None:
    """As in Nova, a shelved-offloaded server holds no host but still counts: with one instance
    allowed, a server created through kubectl meanwhile goes to ERROR with Nova's fault, and the
    offloaded one unshelves (it never left the quota)."""
    image_id, image_object = create_image(cluster, gateway)
    small = create_flavor(gateway, vcpus=1, ram=64)
    custom = project.custom

    def create(name: str) -> None:
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "Server",
            "metadata": {"name": name},
            "spec": {"flavor": small, "image": image_object},
        }
        custom.create_namespaced_custom_object(GROUP, VERSION, project.namespace, "servers", body)

    def status(name: str) -> dict[str, Any]:
        found = custom.get_namespaced_custom_object(GROUP, VERSION, project.namespace, "servers", name)
        return cast("dict[str, Any]", found).get("status") or {}

    def reaches(name: str, wanted: str) -> None:
        wait_for(lambda: status(name).get("status") == wanted, timeout=60, message=f"{name} {wanted}")

    def patch(name: str, spec: dict[str, Any]) -> None:
        custom.patch_namespaced_custom_object(
            GROUP, VERSION, project.namespace, "servers", name, {"spec": spec}
        )

    try:
        with cluster.connected() as api:
            set_limits(gateway, api, project.operator, {"instances": 1})
        create("napper")
        reaches("napper", "ACTIVE")
        patch("napper", {"shelved": True})  # shelved_offload_time 0: offloaded at once
        reaches("napper", "SHELVED_OFFLOADED")
        assert status("napper").get("host") is None
        create("late")
        reaches("late", "ERROR")
        message = "Quota exceeded for instances: Requested 1, but already used 1 of 1 instances"
        assert status("late")["fault"]["message"] == message
        patch("napper", {"shelved": False, "unshelve": {"requestId": "req-back"}})
        reaches("napper", "ACTIVE")
        assert status("napper")["host"]
        assert {vm["metadata"]["name"] for vm in project.vms()} == {"napper"}
    finally:
        project.delete_all()
        wait_for(lambda: not project.servers(), timeout=120, message="servers deleted")
        delete_flavor(gateway, small)
        delete_image(cluster, image_object)
        assert image_id
