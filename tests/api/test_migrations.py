"""migrate and /os-migrations through the gateway: Nova's answers before anything is written
(403 for policy incl. the ``migrate:host`` rule, a schema 400 from 2.56, 400 for an unknown or
the same host, 409 for the state), the move to VERIFY_RESIZE on the asked host, the migration
record in ``/os-migrations`` with its filters, paging and views per microversion, and
``/servers/{id}/migrations`` (in-progress live migrations only)."""

from __future__ import annotations

import signal
from typing import Any

import httpx
import pytest

from tests.api.test_server_support import LATEST, SERVERS, ServerFactory, boot, servers
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.simulator import SimulatorHandle
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]

MIGRATIONS = "/compute/v2.1/os-migrations"


def _act(
    servers: ServerFactory, server_id: str, body: Any, user: str = "admin", version: str = LATEST
) -> httpx.Response:
    with servers.gateway.client(user, version=version) as http:
        return http.post(f"{SERVERS}/{server_id}/action", json=body)


def _message(response: httpx.Response, code: int) -> str:
    assert response.status_code == code, response.text
    ((_, fault),) = response.json().items()
    return str(fault["message"])


def _get(gateway: GatewayHandle, path: str, version: str = LATEST, user: str = "admin") -> httpx.Response:
    with gateway.client(user, version=version) as http:
        return http.get(path)


def _hosts(gateway: GatewayHandle) -> list[str]:
    listed = _get(gateway, "/compute/v2.1/os-hypervisors/detail", "2.87").json()["hypervisors"]
    return [h["hypervisor_hostname"] for h in listed if h["state"] == "up" and h["status"] == "enabled"]


def _listed(gateway: GatewayHandle, query: str, version: str = LATEST) -> list[dict[str, Any]]:
    response = _get(gateway, f"{MIGRATIONS}?{query}", version)
    assert response.status_code == 200, response.text
    return list(response.json()["migrations"])


def test_migrate_refusals(servers: ServerFactory, gateway: GatewayHandle) -> None:
    server_id = servers.active("demo-member")["id"]
    host = servers.show("admin", server_id).json()["server"]["OS-EXT-SRV-ATTR:host"]
    # Policy: members may not migrate; a target host is the admin's (migrate:host).
    assert _act(servers, server_id, {"migrate": None}, user="demo-member").status_code == 403
    # Schema (2.56): a host is a string or null, nothing else is allowed.
    assert _act(servers, server_id, {"migrate": {"host": 1}}).status_code == 400
    assert _act(servers, server_id, {"migrate": {"hots": "x"}}).status_code == 400
    assert _act(servers, server_id, {"migrate": {"host": ""}}).status_code == 400
    assert _message(_act(servers, server_id, {"migrate": {"host": "nowhere"}}), 400) == (
        "Compute host nowhere could not be found."
    )
    assert _message(_act(servers, server_id, {"migrate": {"host": host}}), 400) == (
        "Cannot migrate to the host where the server exists."
    )
    assert _act(servers, server_id, {"pause": None}).status_code == 202
    servers.wait_status(server_id, "PAUSED")
    assert _message(_act(servers, server_id, {"migrate": None}), 409) == (
        f"Cannot 'migrate' instance {server_id} while it is in vm_state paused"
    )
    # Nothing was asked of the operator: no migration record exists.
    assert _listed(gateway, f"instance_uuid={server_id}") == []


def test_migrate_to_a_host_then_confirm_and_the_migration_views(
    servers: ServerFactory, gateway: GatewayHandle
) -> None:
    server_id = servers.active("demo-member")["id"]
    source = servers.show("admin", server_id).json()["server"]["OS-EXT-SRV-ATTR:host"]
    target = next(h for h in _hosts(gateway) if h != source)
    assert _act(servers, server_id, {"migrate": {"host": target}}).status_code == 202
    moved = servers.wait_status(server_id, "VERIFY_RESIZE")
    assert servers.show("admin", server_id).json()["server"]["OS-EXT-SRV-ATTR:host"] == target
    assert moved["flavor"]["vcpus"] == servers.boot.flavor_vcpus
    # A second migrate is refused while the first waits for confirmation.
    assert _message(_act(servers, server_id, {"migrate": None}), 409).startswith("Cannot 'migrate' instance")

    (latest,) = _listed(gateway, f"instance_uuid={server_id}")
    assert latest["status"] == "finished"
    assert (latest["source_compute"], latest["dest_compute"], latest["migration_type"]) == (
        source,
        target,
        "migration",
    )
    assert (latest["source_node"], latest["dest_node"]) == (source, target)
    assert isinstance(latest["id"], int)
    assert latest["old_instance_type_id"] == latest["new_instance_type_id"]
    assert "links" not in latest  # only in-progress live migrations link to themselves
    assert latest["user_id"] == gateway.user_id("admin")
    assert latest["project_id"] == gateway.project_id("demo")
    # Views per microversion.
    (v21,) = _listed(gateway, f"instance_uuid={server_id}", "2.1")
    assert {"migration_type", "uuid", "user_id", "project_id"}.isdisjoint(v21)
    (v223,) = _listed(gateway, f"instance_uuid={server_id}", "2.23")
    assert v223["migration_type"] == "migration"
    assert "uuid" not in v223
    (v259,) = _listed(gateway, f"instance_uuid={server_id}", "2.59")
    assert v259["uuid"] == latest["uuid"]
    assert "user_id" not in v259
    # Filters.
    assert _listed(gateway, f"instance_uuid={server_id}&migration_type=resize") == []
    assert len(_listed(gateway, f"instance_uuid={server_id}&status=finished&host={target}")) == 1
    assert len(_listed(gateway, f"instance_uuid={server_id}&source_compute={source}")) == 1
    assert _listed(gateway, f"instance_uuid={server_id}&source_compute={target}") == []
    assert _listed(gateway, f"instance_uuid={server_id}&user_id=someone-else") == []
    assert _listed(gateway, f"instance_uuid={server_id}&changes-since=2999-01-01T00:00:00Z") == []
    # Before 2.59 changes-since and unknown parameters are ignored; from 2.59 refused.
    assert len(_listed(gateway, f"instance_uuid={server_id}&changes-since=2999-01-01T00:00:00Z", "2.58")) == 1
    assert len(_listed(gateway, f"instance_uuid={server_id}&bogus=1", "2.58")) == 1
    assert _get(gateway, f"{MIGRATIONS}?bogus=1", "2.59").status_code == 400
    assert _get(gateway, f"{MIGRATIONS}?user_id=x", "2.79").status_code == 400
    assert _get(gateway, f"{MIGRATIONS}?marker=no-such", "2.59").status_code == 400
    since, before = "changes-since=2026-01-02T00:00:00Z", "changes-before=2026-01-01T00:00:00Z"
    assert _get(gateway, f"{MIGRATIONS}?{since}&{before}", "2.66").status_code == 400
    paged = _get(gateway, f"{MIGRATIONS}?limit=1", "2.59").json()
    assert len(paged["migrations"]) == 1
    assert "marker=" in paged["migrations_links"][0]["href"]
    # Policy: os-migrations is an admin's (or a project manager's) list.
    assert _get(gateway, MIGRATIONS, user="demo-member").status_code == 403

    # /servers/{id}/migrations: in-progress live migrations only.
    path = f"{SERVERS}/{server_id}/migrations"
    assert _get(gateway, path, "2.22").status_code == 404
    assert _get(gateway, path, "2.23").json() == {"migrations": []}
    shown = _get(gateway, f"{path}/{latest['id']}")
    assert _message(shown, 404) == f"Migration {latest['id']} for server {server_id} is not live-migration."

    assert _act(servers, server_id, {"confirmResize": None}).is_success
    servers.wait_status(server_id, "ACTIVE")
    (confirmed,) = _listed(gateway, f"instance_uuid={server_id}")
    assert confirmed["status"] == "confirmed"
    assert confirmed["id"] == latest["id"]
    assert servers.show("admin", server_id).json()["server"]["OS-EXT-SRV-ATTR:host"] == target


def test_live_migrate_refusals(servers: ServerFactory, gateway: GatewayHandle) -> None:
    server_id = servers.active("demo-member")["id"]
    host = servers.show("admin", server_id).json()["server"]["OS-EXT-SRV-ATTR:host"]
    auto = {"os-migrateLive": {"host": None, "block_migration": "auto"}}
    assert _act(servers, server_id, auto, user="demo-member").status_code == 403
    # Schemas per microversion.
    old = {"os-migrateLive": {"host": None, "block_migration": False, "disk_over_commit": False}}
    assert (
        _act(servers, server_id, auto, version="2.24").status_code == 400
    )  # no auto, needs disk_over_commit
    assert _act(servers, server_id, old, version="2.25").status_code == 400  # disk_over_commit is gone
    assert (
        _act(servers, server_id, {"os-migrateLive": {"block_migration": "auto"}}).status_code == 400
    )  # host
    forced = {"os-migrateLive": {"host": None, "block_migration": "auto", "force": True}}
    assert _message(_act(servers, server_id, forced, version="2.30"), 400) == (
        "Can't force to a non-provided destination"
    )
    assert _act(servers, server_id, forced, version="2.68").status_code == 400  # no force from 2.68
    unknown = {"os-migrateLive": {"host": "nowhere", "block_migration": "auto"}}
    assert _message(_act(servers, server_id, unknown), 400) == "Compute host nowhere could not be found."
    same = {"os-migrateLive": {"host": host, "block_migration": "auto"}}
    assert _message(_act(servers, server_id, same), 400) == (
        f"Unable to migrate instance ({server_id}) to current host ({host})."
    )
    # Abort and force_complete need a live migration under way.
    path = f"{SERVERS}/{server_id}/migrations/1"
    with gateway.client("admin", version=LATEST) as http:
        assert _message(http.delete(path), 409) == (
            f"Cannot 'abort live migration' instance {server_id} while it is in task_state None"
        )
        assert _message(http.post(f"{path}/action", json={"force_complete": None}), 409) == (
            f"Cannot 'force_complete' instance {server_id} while it is in task_state None"
        )
    with gateway.client("admin", version="2.23") as http:
        assert http.delete(path).status_code == 404
    with gateway.client("admin", version="2.21") as http:
        assert http.post(f"{path}/action", json={"force_complete": None}).status_code == 404
    assert _act(servers, server_id, {"os-stop": None}, user="demo-member").status_code == 202
    servers.wait_status(server_id, "SHUTOFF")
    assert _message(_act(servers, server_id, auto), 409) == (
        f"Cannot 'os-migrateLive' instance {server_id} while it is in vm_state stopped"
    )
    assert _listed(gateway, f"instance_uuid={server_id}") == []


def test_live_migrate_to_a_host(servers: ServerFactory, gateway: GatewayHandle) -> None:
    server_id = servers.active("demo-member")["id"]
    source = servers.show("admin", server_id).json()["server"]["OS-EXT-SRV-ATTR:host"]
    target = next(h for h in _hosts(gateway) if h != source)
    body = {"os-migrateLive": {"host": target, "block_migration": "auto"}}
    assert _act(servers, server_id, body).status_code == 202

    def moved() -> dict[str, Any] | None:
        server = servers.show("admin", server_id).json()["server"]
        done = server["OS-EXT-SRV-ATTR:host"] == target and server["OS-EXT-STS:task_state"] is None
        return server if done else None

    server = wait_for(moved, timeout=60, message="live migrated")
    assert server["status"] == "ACTIVE"
    (record,) = _listed(gateway, f"instance_uuid={server_id}")
    assert (record["migration_type"], record["status"]) == ("live-migration", "completed")
    assert (record["source_compute"], record["dest_compute"]) == (source, target)
    assert "links" not in record  # not in progress any more
    assert _get(gateway, f"{SERVERS}/{server_id}/migrations").json() == {"migrations": []}
    shown = _get(gateway, f"{SERVERS}/{server_id}/migrations/{record['id']}")
    assert _message(shown, 404) == f"Live migration {record['id']} for server {server_id} is not in progress."
    with servers.gateway.client("admin", version=LATEST) as http:
        events = http.get(f"{SERVERS}/{server_id}/os-instance-actions").json()["instanceActions"]
    assert events[0]["action"] == "live-migration"


def test_live_migration_in_progress_views_force_complete_and_abort(
    servers: ServerFactory, gateway: GatewayHandle, simulator: SimulatorHandle
) -> None:
    server_id = servers.active("demo-member")["id"]
    source = servers.show("admin", server_id).json()["server"]["OS-EXT-SRV-ATTR:host"]
    body = {"os-migrateLive": {"host": None, "block_migration": "auto"}}
    path = f"{SERVERS}/{server_id}/migrations"

    def in_progress() -> list[dict[str, Any]] | None:
        listed = _get(gateway, path, "2.80").json()["migrations"]
        return listed or None

    assert _act(servers, server_id, body).status_code == 202
    wait_for(in_progress, timeout=30, interval=0.01, message="live migration in progress")
    simulator.process.signal_group(signal.SIGSTOP)  # KubeVirt is slow: the migration stays in progress
    try:
        (shown,) = _get(gateway, path, "2.80").json()["migrations"]
        assert shown["status"] in ("queued", "preparing", "running")
        assert (shown["server_uuid"], shown["source_compute"]) == (server_id, source)
        assert shown["memory_total_bytes"] is None  # KubeVirt reports no byte counts in its API
        assert {"uuid", "user_id", "project_id"} <= set(shown)
        assert "uuid" not in _get(gateway, path, "2.58").json()["migrations"][0]
        one = _get(gateway, f"{path}/{shown['id']}", "2.80").json()["migration"]
        assert one["id"] == shown["id"]
        server = servers.show("admin", server_id).json()["server"]
        assert (server["status"], server["OS-EXT-STS:task_state"]) == ("MIGRATING", "migrating")
        (listed,) = _listed(gateway, f"instance_uuid={server_id}")
        assert listed["links"][0]["href"].endswith(f"/servers/{server_id}/migrations/{shown['id']}")
        # force_complete: KubeVirt cannot (refused either for the status or for the driver).
        with gateway.client("admin", version=LATEST) as http:
            forced = http.post(f"{path}/{shown['id']}/action", json={"force_complete": None})
            assert forced.status_code == 400
            # Aborting a queued or preparing migration needs 2.65.
            if shown["status"] != "running":
                with gateway.client("admin", version="2.64") as old:
                    assert old.delete(f"{path}/{shown['id']}").status_code == 400
            assert http.delete(f"{path}/{shown['id']}").status_code == 202
    finally:
        simulator.process.signal_group(signal.SIGCONT)
    back = servers.wait_status(server_id, "ACTIVE")
    assert servers.show("admin", server_id).json()["server"]["OS-EXT-SRV-ATTR:host"] == source
    assert back["OS-EXT-STS:task_state"] is None
    (record,) = _listed(gateway, f"instance_uuid={server_id}")
    assert (record["status"], record["migration_type"]) == ("cancelled", "live-migration")
    with gateway.client("admin", version="2.84") as http:
        actions = http.get(f"{SERVERS}/{server_id}/os-instance-actions").json()["instanceActions"]
        request_id = next(a["request_id"] for a in actions if a["action"] == "live-migration")
        shown_action = http.get(f"{SERVERS}/{server_id}/os-instance-actions/{request_id}").json()
    (event,) = shown_action["instanceAction"]["events"]
    assert (event["event"], event["result"]) == ("compute_live_migration", "Error")
    assert _get(gateway, path).json() == {"migrations": []}
