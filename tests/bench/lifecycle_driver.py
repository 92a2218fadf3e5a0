"""The bench driver: servers through the Nova API, phases cut into the audit log with markers.

A phase is ``<name>.begin`` marker, the action (POST or DELETE through the gateway), waiting for
its result, then waiting until kubenova's components have been quiet for ``settle`` seconds (work
that trails the visible result, such as a last status patch or an Event, belongs to the phase),
then ``<name>.end``. A marker is a GET of a ConfigMap that does not exist (``audit_events``).

What happened is checked on the objects, with the driver's own identity (left out of the counts):
ACTIVE means the Server's status says ACTIVE with no task *and* its VirtualMachineInstance is
Running; gone means Server, VirtualMachine and VirtualMachineInstance are all 404. After each phase
(outside it) the gateway is asked too: the server shows ACTIVE, then 404.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import httpx
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from kubenova.resources import GROUP, VERSION
from tests.bench.audit_events import BENCH, MARKER_NAMESPACE, MARKER_PREFIX, Request
from tests.bench.bench_stack import BenchStack

PROJECT = "admin"  # the bootstrap's admin user, in its own project (namespace "admin")
FLAVOR = "bench.tiny"
IMAGE = "bench-cirros"
IMAGE_SOURCE = "quay.io/kubevirt/cirros-container-disk-demo:v1.4.0"
KUBEVIRT = ("kubevirt.io", "v1")
WAIT_TIMEOUT = 120.0
POLL = 0.25


@dataclass(frozen=True)
class Phase:
    """One measured window: ``scenario`` (sequential, burst, baseline), ``step`` (create, delete)."""

    name: str
    scenario: str
    step: str
    servers: int
    seconds: float


def quiet_relevant(request: Request) -> bool:
    """Requests that keep a phase from settling: any component's, except heartbeats and discovery."""
    return (
        request.component not in (BENCH, "kube-apiserver")
        and not request.heartbeat
        and request.kind != "other"
    )


class Driver:
    def __init__(self, stack: BenchStack, *, settle: float) -> None:
        self.stack = stack
        self.settle = settle
        self.phases: list[Phase] = []
        kube: client.ApiClient = config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=str(stack.bench_kubeconfig), persist_config=False
        )
        kube.user_agent = "kubenova-bench"
        self.kube = kube
        self.core = client.CoreV1Api(kube)
        self.custom = client.CustomObjectsApi(kube)
        self.http = httpx.Client(
            base_url=stack.gateway_url,
            timeout=60,
            headers={"User-Agent": "kubenova-bench", "OpenStack-API-Version": "compute latest"},
        )
        self.image_id = ""

    def close(self) -> None:
        self.http.close()
        self.kube.close()  # type: ignore[no-untyped-call]

    # ----- set-up (not measured) ----------------------------------------------------------------

    def setup(self) -> None:
        """Flavor and Image objects, visible through the gateway; a token for the admin user."""
        flavor = {"id": FLAVOR, "name": FLAVOR, "vcpus": 1, "ram": 64, "disk": 1}
        self._create_cluster_object("flavors", FLAVOR, flavor)
        image = self._create_cluster_object(
            "images", IMAGE, {"name": IMAGE, "containerDisk": {"image": IMAGE_SOURCE}}
        )
        self.image_id = str(image["metadata"]["uid"])
        auth = {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": "admin",
                        "domain": {"name": "Default"},
                        "password": self.stack.admin_password,
                    }
                },
            },
            "scope": {"project": {"name": PROJECT, "domain": {"name": "Default"}}},
        }
        response = self.http.post("/identity/v3/auth/tokens", json={"auth": auth})
        response.raise_for_status()
        self.http.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
        self._wait(
            lambda: self.http.get(f"/image/v2/images/{self.image_id}").status_code == 200, "image visible"
        )
        self._wait(
            lambda: self.http.get(f"/compute/v2.1/flavors/{FLAVOR}").status_code == 200, "flavor visible"
        )

    def _create_cluster_object(self, plural: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        kind = {"flavors": "Flavor", "images": "Image"}[plural]
        body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": kind, "metadata": {"name": name}, "spec": spec}
        return cast("dict[str, Any]", self.custom.create_cluster_custom_object(GROUP, VERSION, plural, body))

    # ----- phases ---------------------------------------------------------------------------------

    def mark(self, label: str) -> None:
        try:
            self.core.read_namespaced_config_map(f"{MARKER_PREFIX}{label}", MARKER_NAMESPACE)
        except ApiException as exc:
            if exc.status != 404:
                raise

    def phase(self, name: str, scenario: str, step: str, servers: int, action: Callable[[], None]) -> None:
        self.stack.audit.poll()
        self.mark(f"{name}.begin")
        started = time.monotonic()
        action()
        self._settle()
        self.mark(f"{name}.end")
        self.phases.append(Phase(name, scenario, step, servers, time.monotonic() - started))

    def baseline(self, seconds: float) -> None:
        """An idle window: what the components ask while no server exists (heartbeats, resyncs)."""
        self.phase("baseline", "baseline", "idle", 0, lambda: time.sleep(seconds))

    def lifecycle(self, name: str, scenario: str, count: int) -> None:
        """``count`` servers at once: create → ACTIVE, then delete → gone, one phase each."""
        ids: list[str] = []
        self.phase(
            f"{name}.create", scenario, "create", count, lambda: ids.extend(self._create_active(count))
        )
        for server_id in ids:
            shown = self.http.get(f"/compute/v2.1/servers/{server_id}")
            if shown.status_code != 200 or shown.json()["server"]["status"] != "ACTIVE":
                raise AssertionError(f"the gateway does not show server {server_id} ACTIVE: {shown.text}")
        self.phase(f"{name}.delete", scenario, "delete", count, lambda: self._delete_gone(ids))
        for server_id in ids:
            if (code := self.http.get(f"/compute/v2.1/servers/{server_id}").status_code) != 404:
                raise AssertionError(f"the gateway still answers {code} for deleted server {server_id}")

    def _settle(self) -> None:
        """Wait until no relevant request arrived for ``settle`` seconds (at most WAIT_TIMEOUT)."""
        last = datetime.datetime.now(datetime.UTC)
        deadline = time.monotonic() + WAIT_TIMEOUT
        while time.monotonic() < deadline:
            for request in self.stack.audit.poll():
                if quiet_relevant(request) and request.received > last:
                    last = request.received
            if (datetime.datetime.now(datetime.UTC) - last).total_seconds() >= self.settle:
                return
            time.sleep(POLL)
        raise AssertionError(f"kubenova did not settle within {WAIT_TIMEOUT:.0f}s")

    # ----- what a phase does ------------------------------------------------------------------------

    def _post_server(self, index: int) -> str:
        body = {
            "server": {
                "name": f"bench-{index}",
                "imageRef": self.image_id,
                "flavorRef": FLAVOR,
                "networks": "auto",
                "min_count": 1,
                "max_count": 1,
            }
        }
        response = self.http.post("/compute/v2.1/servers", json=body)
        if response.status_code != 202:
            raise AssertionError(f"POST /servers answered {response.status_code}: {response.text}")
        return str(response.json()["server"]["id"])

    def _create_active(self, count: int) -> list[str]:
        with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
            ids = list(pool.map(self._post_server, range(count)))
        self._wait(lambda: self._all_active(ids), f"{count} server(s) ACTIVE with a Running VMI")
        return ids

    def _servers(self) -> dict[str, dict[str, Any]]:
        listed = self.custom.list_namespaced_custom_object(GROUP, VERSION, PROJECT, "servers")
        return {str(s["metadata"]["uid"]): s for s in cast("dict[str, Any]", listed)["items"]}

    def _all_active(self, ids: list[str]) -> bool:
        servers = self._servers()
        for server_id in ids:
            server = servers.get(server_id)
            if server is None:
                return False
            status = server.get("status") or {}
            if status.get("status") == "ERROR":
                raise AssertionError(f"server {server_id} went to ERROR: {status.get('fault')}")
            if status.get("status") != "ACTIVE" or status.get("taskState"):
                return False
            vmi = self._get(*KUBEVIRT, "virtualmachineinstances", server["metadata"]["name"])
            if vmi is None or (vmi.get("status") or {}).get("phase") != "Running":
                return False
        return True

    def _delete_gone(self, ids: list[str]) -> None:
        names = {uid: s["metadata"]["name"] for uid, s in self._servers().items() if uid in ids}
        for server_id in ids:
            response = self.http.delete(f"/compute/v2.1/servers/{server_id}")
            if response.status_code != 204:
                raise AssertionError(
                    f"DELETE /servers/{server_id} answered {response.status_code}: {response.text}"
                )

        def gone() -> bool:
            kinds = (
                (GROUP, VERSION, "servers"),
                (*KUBEVIRT, "virtualmachines"),
                (*KUBEVIRT, "virtualmachineinstances"),
            )
            return all(self._get(*kind, name) is None for kind in kinds for name in names.values())

        self._wait(gone, f"{len(ids)} server(s) gone with their VM and VMI")

    def _get(self, group: str, version: str, plural: str, name: str) -> dict[str, Any] | None:
        try:
            found = self.custom.get_namespaced_custom_object(group, version, PROJECT, plural, name)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return cast("dict[str, Any]", found)

    def _wait(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_TIMEOUT
        while not condition():
            self.stack.check()
            if time.monotonic() > deadline:
                raise AssertionError(f"not true after {WAIT_TIMEOUT:.0f}s: {what}")
            time.sleep(POLL)
