"""Server actions: stop/start/reboot carried out by the operator, lock/unlock, Nova's 409s, and
the actions kubenova knows but does not carry out yet (pause, suspend, resetState and the other
in-place operations: tests/api/test_server_in_place_actions.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.test_server_support import LATEST, SERVERS, ServerFactory, boot, servers

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]


def _act(
    servers: ServerFactory, server_id: str, body: Any, *, user: str = "demo-member", version: str = LATEST
) -> httpx.Response:
    with servers.gateway.client(user, version=version) as http:
        return http.post(f"{SERVERS}/{server_id}/action", json=body)


def _fault(response: httpx.Response, code: int) -> str:
    assert response.status_code == code, response.text
    ((name, fault),) = response.json().items()
    if code == 409:
        assert name == "conflictingRequest"
    return str(fault["message"])


def test_stop_start_and_their_conflicts(servers: ServerFactory) -> None:
    server = servers.active()
    server_id = server["id"]
    stopped = _act(servers, server_id, {"os-stop": None})
    assert stopped.status_code == 202, stopped.text
    assert stopped.content == b""
    # The task is visible at once, and a second stop is refused while it runs.
    assert servers.show("demo-member", server_id).json()["server"]["OS-EXT-STS:task_state"] in (
        "powering-off",
        None,
    )
    again = _act(servers, server_id, {"os-stop": None})
    assert _fault(again, 409) in (
        f"Cannot 'stop' instance {server_id} while it is in task_state powering-off",
        f"Cannot 'stop' instance {server_id} while it is in vm_state stopped",
    )
    shutoff = servers.wait_status(server_id, "SHUTOFF")
    assert shutoff["OS-EXT-STS:power_state"] == 4
    assert shutoff["OS-EXT-STS:vm_state"] == "stopped"
    message = _fault(_act(servers, server_id, {"os-stop": None}), 409)
    assert message == f"Cannot 'stop' instance {server_id} while it is in vm_state stopped"
    soft = _fault(_act(servers, server_id, {"reboot": {"type": "SOFT"}}), 409)
    assert soft == f"Cannot 'reboot' instance {server_id} while it is in vm_state stopped"

    assert _act(servers, server_id, {"os-start": None}).status_code == 202
    active = servers.wait_status(server_id, "ACTIVE")
    assert active["OS-EXT-STS:power_state"] == 1
    message = _fault(_act(servers, server_id, {"os-start": {}}), 409)
    assert message == f"Cannot 'start' instance {server_id} while it is in vm_state active"


def test_soft_and_hard_reboot(servers: ServerFactory) -> None:
    server_id = servers.active()["id"]
    assert _act(servers, server_id, {"reboot": {"type": "SOFT"}}).status_code == 202
    shown = servers.show("demo-member", server_id).json()["server"]
    assert shown["status"] in ("REBOOT", "ACTIVE")
    servers.wait_status(server_id, "ACTIVE")
    assert _act(servers, server_id, {"reboot": {"type": "hard"}}).status_code == 202
    servers.wait_status(server_id, "ACTIVE")
    bad = _act(servers, server_id, {"reboot": {"type": "GENTLE"}})
    assert bad.status_code == 400
    assert _act(servers, server_id, {"reboot": {}}).status_code == 400


def test_hard_reboot_of_a_stopped_server_powers_it_on(servers: ServerFactory) -> None:
    server_id = servers.active()["id"]
    assert _act(servers, server_id, {"os-stop": None}).status_code == 202
    servers.wait_status(server_id, "SHUTOFF")
    assert _act(servers, server_id, {"reboot": {"type": "HARD"}}).status_code == 202
    active = servers.wait_status(server_id, "ACTIVE")
    assert active["OS-EXT-STS:power_state"] == 1
    assert active["OS-EXT-STS:vm_state"] == "active"


def test_actions_on_a_building_server_conflict(servers: ServerFactory) -> None:
    server_id = servers.create()["id"]
    message = _fault(_act(servers, server_id, {"os-stop": None}), 409)
    assert message.startswith(f"Cannot 'stop' instance {server_id} while it is in ")
    servers.wait_status(server_id, "ACTIVE")


def test_lock_and_unlock(servers: ServerFactory) -> None:
    server_id = servers.active()["id"]
    assert _act(servers, server_id, {"lock": {"locked_reason": "maintenance"}}).status_code == 202
    shown = servers.show("demo-member", server_id).json()["server"]
    assert (shown["locked"], shown["locked_reason"]) == (True, "maintenance")
    assert "locked_reason" not in servers.show("demo-member", server_id, version="2.72").json()["server"]
    locked = f"Instance {server_id} is locked"
    assert _fault(_act(servers, server_id, {"os-stop": None}), 409) == locked
    assert _fault(_act(servers, server_id, {"reboot": {"type": "HARD"}}), 409) == locked
    with servers.gateway.client("demo-member", version=LATEST) as http:
        assert _fault(http.delete(f"{SERVERS}/{server_id}"), 409) == locked
    # Before 2.73 a lock reason is not part of the API.
    assert _act(servers, server_id, {"unlock": None}).status_code == 202
    assert _act(servers, server_id, {"lock": None}, version="2.72").status_code == 202
    assert servers.show("demo-member", server_id).json()["server"]["locked_reason"] is None
    assert _act(servers, server_id, {"unlock": None}).status_code == 202
    assert servers.show("demo-member", server_id).json()["server"]["locked"] is False

    # A lock taken by an admin of another project can only be undone by an admin.
    assert _act(servers, server_id, {"lock": None}, user="admin").status_code == 202
    refused = _act(servers, server_id, {"unlock": None})
    assert _fault(refused, 403).endswith("os-lock-server:unlock:unlock_override to be performed.")
    assert _act(servers, server_id, {"os-stop": None}, user="admin").status_code == 202
    assert _act(servers, server_id, {"unlock": None}, user="admin").status_code == 202
    servers.wait_status(server_id, "SHUTOFF")


def test_unknown_and_malformed_actions(servers: ServerFactory) -> None:
    server_id = servers.active()["id"]
    # The state checks come first: an ACTIVE server cannot be unpaused or resumed (409, not 400).
    message = _fault(_act(servers, server_id, {"unpause": None}), 409)
    assert message == f"Cannot 'unpause' instance {server_id} while it is in vm_state active"
    assert _fault(_act(servers, server_id, {"confirmResize": None}), 409).startswith("Cannot 'confirmResize'")
    assert _fault(_act(servers, server_id, {"dance": None}), 400) == "There is no such action: dance"
    assert _fault(_act(servers, server_id, {"os-stop": None, "os-start": None}), 400).startswith(
        "Malformed request body"
    )
    # Actions outside their microversions do not exist.
    assert _act(servers, server_id, {"trigger_crash_dump": None}, version="2.16").status_code == 404
    assert _act(servers, server_id, {"addFixedIp": {"networkId": "x"}}, version="2.44").status_code == 404
    # Policy: readers act on nothing; members may not migrate.
    assert _act(servers, server_id, {"os-stop": None}, user="demo-reader").status_code == 403
    assert _act(servers, server_id, {"migrate": None}).status_code == 403
    assert _act(servers, "6e1fd7e4-0000-4000-8000-000000000000", {"os-stop": None}).status_code == 404
