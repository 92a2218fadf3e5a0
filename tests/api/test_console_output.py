"""``os-getConsoleOutput``: the serial console log of the server's guest, read from the
``guest-console-log`` container of its virt-launcher Pod (the simulator's kubelet endpoint serves
it through the API server's ``pods/log``): Nova's schema, ``length`` variants, 409 when the guest
does not run, policy and 404."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from kubernetes import client

from tests.api.test_server_support import SERVERS, ServerFactory, boot, servers
from tests.support.cluster import Cluster

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]


def _console(
    servers: ServerFactory, server_id: str, args: Any, *, user: str = "demo-member"
) -> httpx.Response:
    with servers.gateway.client(user) as http:
        return http.post(f"{SERVERS}/{server_id}/action", json={"os-getConsoleOutput": args})


def _output(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"output"}
    return str(body["output"])


def _launcher_log(cluster: Cluster, server_id: str) -> str:
    """The log as ``kubectl logs -c guest-console-log`` shows it."""
    with cluster.connected() as api:
        core = client.CoreV1Api(api)
        custom = client.CustomObjectsApi(api)
        listing = custom.list_cluster_custom_object("compute.kubenova.io", "v1alpha1", "servers")
        server = next(s for s in listing["items"] if s["metadata"]["uid"] == server_id)
        namespace, name = server["metadata"]["namespace"], server["status"]["vmName"]
        vmi = custom.get_namespaced_custom_object(
            "kubevirt.io", "v1", namespace, "virtualmachineinstances", name
        )
        assert vmi["spec"]["domain"]["devices"]["logSerialConsole"] is True
        (pod,) = core.list_namespaced_pod(
            namespace, label_selector=f"kubevirt.io/created-by={vmi['metadata']['uid']}"
        ).items
        return str(core.read_namespaced_pod_log(pod.metadata.name, namespace, container="guest-console-log"))


def test_console_output_is_the_launcher_pods_guest_console_log(
    servers: ServerFactory, cluster: Cluster
) -> None:
    server = servers.active(name="talker")
    server_id = server["id"]
    log = _launcher_log(cluster, server_id)
    assert "talker login: " in log
    whole = _output(_console(servers, server_id, {}))
    assert whole == log
    lines = log.split("\n")
    assert _output(_console(servers, server_id, {"length": None})) == log
    assert _output(_console(servers, server_id, {"length": 3})) == "\n".join(lines[-3:])
    assert _output(_console(servers, server_id, {"length": "2"})) == "\n".join(lines[-2:])
    assert _output(_console(servers, server_id, {"length": 0})) == ""
    # Nova's _tail_log takes -1 literally: everything but the first line.
    assert _output(_console(servers, server_id, {"length": -1})) == "\n".join(lines[1:])
    assert _output(_console(servers, server_id, {"length": 10_000})) == log

    for bad, message in (
        ({"length": -2}, "-2 is less than the minimum of -1"),
        ({"length": "abc"}, "'abc' does not match '^-?[0-9]+$'"),
        ({"length": 1.5}, "1.5 is not of type 'integer', 'string', 'null'"),
        ({"lines": 3}, "Additional properties are not allowed ('lines' was unexpected)"),
    ):
        response = _console(servers, server_id, bad)
        assert response.status_code == 400, response.text
        assert message in response.json()["badRequest"]["message"]
    assert _console(servers, server_id, None).status_code == 400
    assert _console(servers, server_id, {}, user="demo-reader").status_code == 403
    assert _console(servers, "6e1fd7e4-0000-4000-8000-000000000000", {}).status_code == 404


def test_a_stopped_server_has_no_console_to_read(servers: ServerFactory) -> None:
    server_id = servers.active()["id"]
    with servers.gateway.client("demo-member") as http:
        assert http.post(f"{SERVERS}/{server_id}/action", json={"os-stop": None}).status_code == 202
    servers.wait_status(server_id, "SHUTOFF")
    response = _console(servers, server_id, {"length": 5})
    assert response.status_code == 409, response.text
    assert response.json()["conflictingRequest"]["message"] == f"Instance {server_id} is not ready"
