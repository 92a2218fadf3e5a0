"""In-place server actions through the gateway: pause/unpause, suspend/resume (KubeVirt cannot:
accepted, then recorded as failed), os-resetState, injectNetworkInfo, trigger_crash_dump; their
policies, bodies and Nova's 409s."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.test_server_support import LATEST, SERVERS, ServerFactory, boot, servers
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]


def _act(
    servers: ServerFactory, server_id: str, body: Any, *, user: str = "demo-member", version: str = LATEST
) -> httpx.Response:
    with servers.gateway.client(user, version=version) as http:
        return http.post(f"{SERVERS}/{server_id}/action", json=body)


def _fault(response: httpx.Response, code: int) -> str:
    assert response.status_code == code, response.text
    ((_name, fault),) = response.json().items()
    return str(fault["message"])


def _actions(servers: ServerFactory, server_id: str, user: str = "demo-member") -> list[dict[str, Any]]:
    with servers.gateway.client(user, version=LATEST) as http:
        response = http.get(f"{SERVERS}/{server_id}/os-instance-actions")
    assert response.status_code == 200, response.text
    actions: list[dict[str, Any]] = response.json()["instanceActions"]
    return actions


def _action(servers: ServerFactory, server_id: str, request_id: str) -> dict[str, Any]:
    with servers.gateway.client("admin", version=LATEST) as http:
        response = http.get(f"{SERVERS}/{server_id}/os-instance-actions/{request_id}")
    assert response.status_code == 200, response.text
    action: dict[str, Any] = response.json()["instanceAction"]
    return action


def test_pause_and_unpause_with_nova_states_and_conflicts(servers: ServerFactory) -> None:
    server_id = servers.active()["id"]
    paused = _act(servers, server_id, {"pause": None})
    assert paused.status_code == 202, paused.text
    shown = servers.show("demo-member", server_id).json()["server"]
    assert (shown["status"], shown["OS-EXT-STS:task_state"]) in (("ACTIVE", "pausing"), ("PAUSED", None))
    server = servers.wait_status(server_id, "PAUSED")
    assert server["OS-EXT-STS:vm_state"] == "paused"
    assert server["OS-EXT-STS:power_state"] == 3
    # Nova's state checks: no stop, soft reboot or second pause of a paused server.
    for body, action in (({"os-stop": None}, "stop"), ({"reboot": {"type": "SOFT"}}, "reboot")):
        assert _fault(_act(servers, server_id, body), 409) == (
            f"Cannot '{action}' instance {server_id} while it is in vm_state paused"
        )
    assert _fault(_act(servers, server_id, {"pause": None}), 409).startswith("Cannot 'pause' instance")
    assert _act(servers, server_id, {"unpause": None}).status_code == 202
    servers.wait_status(server_id, "ACTIVE")
    actions = [(a["action"], a["message"]) for a in _actions(servers, server_id)]
    assert actions[:2] == [("unpause", None), ("pause", None)]
    request_id = _actions(servers, server_id)[1]["request_id"]
    (event,) = _action(servers, server_id, request_id)["events"]
    assert (event["event"], event["result"]) == ("compute_pause_instance", "Success")
    assert _act(servers, server_id, {"pause": None}, user="demo-reader").status_code == 403


def test_suspend_is_accepted_and_fails_as_nova_does_without_the_driver_capability(
    servers: ServerFactory,
) -> None:
    server_id = servers.active()["id"]
    response = _act(servers, server_id, {"suspend": None})
    assert response.status_code == 202, response.text
    request_id = response.headers["x-openstack-request-id"]

    def failed() -> dict[str, Any] | None:
        action = _action(servers, server_id, request_id)
        return action if action["events"] and action["message"] == "Error" else None

    action = wait_for(failed, timeout=30, message="suspend recorded as failed")
    assert action["action"] == "suspend"
    (event,) = action["events"]
    assert (event["event"], event["result"]) == ("compute_suspend_instance", "Error")
    assert "pause" in event["details"]
    assert "shelve" in event["details"]
    shown = servers.show("demo-member", server_id).json()["server"]
    assert (shown["status"], shown["OS-EXT-STS:task_state"]) == ("ACTIVE", None)
    # resume: only from SUSPENDED, which a server never reaches here.
    assert _fault(_act(servers, server_id, {"resume": None}), 409) == (
        f"Cannot 'resume' instance {server_id} while it is in vm_state active"
    )


def test_reset_state_is_an_admin_action_with_nova_body_and_record(servers: ServerFactory) -> None:
    server_id = servers.active()["id"]
    body = {"os-resetState": {"state": "error"}}
    assert _act(servers, server_id, body).status_code == 403
    for bad in ({"os-resetState": {"state": "building"}}, {"os-resetState": {}}, {"os-resetState": None}):
        assert _act(servers, server_id, bad, user="admin").status_code == 400
    response = _act(servers, server_id, body, user="admin")
    assert response.status_code == 202, response.text
    # Nova writes the state synchronously: it shows at once.
    assert servers.show("admin", server_id).json()["server"]["status"] == "ERROR"
    servers.wait_status(server_id, "ERROR", user="admin")
    assert _act(servers, server_id, {"os-resetState": {"state": "active"}}, user="admin").status_code == 202
    servers.wait_status(server_id, "ACTIVE")
    actions = [(a["action"], a["message"]) for a in _actions(servers, server_id, "admin")]
    assert actions[:2] == [("resetState", None), ("resetState", None)]
    assert _action(servers, server_id, response.headers["x-openstack-request-id"])["events"] == []


def test_inject_network_info_is_accepted_with_nothing_to_do(servers: ServerFactory) -> None:
    server_id = servers.active()["id"]
    assert _act(servers, server_id, {"injectNetworkInfo": None}).status_code == 403
    assert _act(servers, server_id, {"injectNetworkInfo": None}, user="admin").status_code == 202
    # Nova records no instance action for it (compute/api.py casts without one).
    assert "injectNetworkInfo" not in {a["action"] for a in _actions(servers, server_id, "admin")}


def test_trigger_crash_dump_is_refused_as_for_a_hypervisor_without_nmi(servers: ServerFactory) -> None:
    server_id = servers.active()["id"]
    message = _fault(_act(servers, server_id, {"trigger_crash_dump": None}), 400)
    assert message == "Triggering crash dump is not supported"
    assert _act(servers, server_id, {"trigger_crash_dump": None}, version="2.16").status_code == 404
    assert _act(servers, server_id, {"os-stop": None}).status_code == 202
    servers.wait_status(server_id, "SHUTOFF")
    # The state check comes first (Nova: ACTIVE, PAUSED, RESCUED, RESIZED, ERROR).
    assert _fault(_act(servers, server_id, {"trigger_crash_dump": None}), 409).startswith(
        "Cannot 'trigger_crash_dump' instance"
    )


def _diagnostics(
    servers: ServerFactory, server_id: str, *, user: str = "admin", version: str = LATEST
) -> httpx.Response:
    with servers.gateway.client(user, version=version) as http:
        return http.get(f"{SERVERS}/{server_id}/diagnostics")


def test_diagnostics_in_nova_formats_from_what_kubevirt_reports(servers: ServerFactory) -> None:
    server = servers.active()
    server_id, mac = server["id"], server["addresses"]["private"][0]["OS-EXT-IPS-MAC:mac_addr"]
    assert _diagnostics(servers, server_id, user="demo-member").status_code == 403
    response = _diagnostics(servers, server_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "state", "driver", "hypervisor", "hypervisor_os", "uptime", "config_drive", "num_cpus",
        "num_nics", "num_disks", "cpu_details", "nic_details", "disk_details", "memory_details",
    }  # fmt: skip
    assert (body["state"], body["driver"], body["hypervisor"]) == ("running", "libvirt", "kvm")
    assert body["num_cpus"] == servers.boot.flavor_vcpus == len(body["cpu_details"])
    assert body["memory_details"] == {"maximum": servers.boot.flavor_ram, "used": None}
    assert [n["mac_address"] for n in body["nic_details"]] == [mac]
    assert body["num_disks"] == len(body["disk_details"]) >= 2  # root + cloud-init
    assert body["config_drive"] is False
    assert isinstance(body["uptime"], int)
    assert body["uptime"] >= 0
    legacy = _diagnostics(servers, server_id, version="2.47")
    assert legacy.json() == {"memory": servers.boot.flavor_ram * 1024}
    assert _act(servers, server_id, {"os-stop": None}).status_code == 202
    servers.wait_status(server_id, "SHUTOFF")
    message = _fault(_diagnostics(servers, server_id), 409)
    assert message == f"Cannot 'get_diagnostics' instance {server_id} while it is in power state shutdown"
