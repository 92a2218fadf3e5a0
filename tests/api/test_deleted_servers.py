"""Deleted servers through the API: admins list them with ``deleted=True`` (status DELETED,
``terminated_at``), everyone sees their own with ``changes-since``/``changes-before``, their
instance actions stay readable from 2.21, ``os-simple-tenant-usage`` counts their hours; and the
unmodified ``openstack`` CLI and openstacksdk read them (``server list --deleted``, ``server event
list``, ``usage list``/``usage show``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openstack
import pytest

from tests.api.test_server_support import LATEST, SERVERS, ServerFactory, boot, servers
from tests.fixtures.gateway import CLOUD_NAME, GatewayHandle
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.clients]
__all__ = ["boot", "servers"]

OPENSTACK = Path(sys.executable).parent / "openstack"
USAGE = "/compute/v2.1/os-simple-tenant-usage"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _list(gateway: GatewayHandle, user: str, path: str, version: str = LATEST, **query: Any) -> Any:
    with gateway.client(user, version=version) as http:
        response = http.get(path, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def _deleted_server(servers: ServerFactory) -> tuple[str, datetime]:
    """A server of demo that ran, was stopped and deleted; (its id, a time before its create)."""
    before = datetime.now(UTC) - timedelta(seconds=2)
    server = servers.active(name="to-be-deleted")
    launched = datetime.fromisoformat(server["OS-SRV-USG:launched_at"]).replace(tzinfo=UTC)
    # Usage is counted in seconds from launched_at: let it run for a few of them.
    wait_for(lambda: datetime.now(UTC) > launched + timedelta(seconds=3), timeout=10, message="3 s of uptime")
    with servers.gateway.client("demo-member", version=LATEST) as http:
        assert http.post(f"{SERVERS}/{server['id']}/action", json={"os-stop": None}).status_code == 202
    servers.wait_status(server["id"], "SHUTOFF")
    with servers.gateway.client("demo-member", version=LATEST) as http:
        assert http.delete(f"{SERVERS}/{server['id']}").status_code == 204
    servers.wait_gone(server["id"])
    wait_for(
        lambda: any(
            s["id"] == server["id"]
            for s in _list(servers.gateway, "admin", f"{SERVERS}/detail", deleted="True", all_tenants="1")[
                "servers"
            ]
        ),
        timeout=20,
        message="deleted server listed",
    )
    return server["id"], before


def test_deleted_servers_listed_read_and_counted(servers: ServerFactory, tmp_path: Path) -> None:
    gateway = servers.gateway
    server_id, before = _deleted_server(servers)
    live = servers.active(name="still-here")

    # Admins: deleted=True lists the deleted ones only, as Nova renders them.
    detail = _list(gateway, "admin", f"{SERVERS}/detail", deleted="True", all_tenants="1")["servers"]
    ids = {s["id"] for s in detail}
    assert server_id in ids
    assert live["id"] not in ids
    shown = next(s for s in detail if s["id"] == server_id)
    assert shown["status"] == "DELETED"
    assert shown["OS-EXT-STS:vm_state"] == "deleted"
    assert shown["OS-EXT-STS:task_state"] is None
    assert shown["OS-EXT-STS:power_state"] == 0
    assert shown["OS-SRV-USG:terminated_at"]
    assert shown["OS-SRV-USG:launched_at"]
    assert shown["name"] == "to-be-deleted"
    assert shown["flavor"]["vcpus"] == servers.boot.flavor_vcpus
    assert shown["addresses"] == {}
    index = _list(gateway, "admin", SERVERS, deleted="True", all_tenants="1")["servers"]
    assert server_id in {s["id"] for s in index}
    by_status = _list(gateway, "admin", f"{SERVERS}/detail", status="DELETED", all_tenants="1")["servers"]
    assert server_id in {s["id"] for s in by_status}

    # Members: deleted=True is an admin filter (dropped), status=DELETED is refused, changes-since
    # shows their deleted servers too, changes-before (2.66) bounds it.
    member = _list(gateway, "demo-member", f"{SERVERS}/detail", deleted="True")["servers"]
    assert server_id not in {s["id"] for s in member}
    assert live["id"] in {s["id"] for s in member}
    with gateway.client("demo-member", version=LATEST) as http:
        refused = http.get(f"{SERVERS}/detail", params={"status": "DELETED"})
    assert refused.status_code == 403, refused.text
    assert "Only administrators may list deleted instances" in refused.text
    since = _list(gateway, "demo-member", f"{SERVERS}/detail", **{"changes-since": _stamp(before)})["servers"]
    statuses = {s["id"]: s["status"] for s in since}
    assert statuses[server_id] == "DELETED"
    assert statuses[live["id"]] == "ACTIVE"
    early = _list(
        gateway,
        "demo-member",
        f"{SERVERS}/detail",
        **{"changes-since": _stamp(before - timedelta(hours=1)), "changes-before": _stamp(before)},
    )["servers"]
    assert server_id not in {s["id"] for s in early}
    plain = _list(gateway, "demo-member", f"{SERVERS}/detail")["servers"]
    assert server_id not in {s["id"] for s in plain}
    assert servers.show("admin", server_id).status_code == 404  # Nova reads no deleted server here

    # Instance actions: readable from 2.21, with the delete finished.
    actions = _list(gateway, "demo-member", f"{SERVERS}/{server_id}/os-instance-actions", version="2.84")
    assert [a["action"] for a in actions["instanceActions"]] == ["delete", "stop", "create"]
    delete = actions["instanceActions"][0]
    shown_action = _list(
        gateway, "admin", f"{SERVERS}/{server_id}/os-instance-actions/{delete['request_id']}", version="2.84"
    )["instanceAction"]
    assert [(e["event"], e["result"]) for e in shown_action["events"]] == [
        ("compute_terminate_instance", "Success")
    ]
    with gateway.client("demo-member", version="2.20") as http:
        assert http.get(f"{SERVERS}/{server_id}/os-instance-actions").status_code == 404

    # Usage: the deleted server's hours end at its termination; the live one's run to now.
    window = {
        "start": _stamp(before - timedelta(hours=1)),
        "end": _stamp(datetime.now(UTC) + timedelta(hours=1)),
    }
    demo = gateway.project_id("demo")
    listed = _list(gateway, "admin", USAGE, version="2.1", detailed="1", **window)["tenant_usages"]
    tenant = next(t for t in listed if t["tenant_id"] == demo)
    usages = {u["instance_id"]: u for u in tenant["server_usages"]}
    gone = usages[server_id]
    assert gone["state"] == "terminated"
    assert gone["ended_at"] is not None
    assert 0 < gone["hours"] < 1
    assert gone["vcpus"] == servers.boot.flavor_vcpus
    assert gone["memory_mb"] == servers.boot.flavor_ram
    assert usages[live["id"]]["state"] == "active"
    assert usages[live["id"]]["ended_at"] is None
    assert tenant["total_hours"] == pytest.approx(sum(u["hours"] for u in tenant["server_usages"]))
    assert tenant["total_vcpus_usage"] == pytest.approx(
        sum(u["hours"] * u["vcpus"] for u in tenant["server_usages"])
    )
    summary = _list(gateway, "admin", USAGE, version="2.1", **window)["tenant_usages"]
    assert "server_usages" not in next(t for t in summary if t["tenant_id"] == demo)
    own = _list(gateway, "demo-member", f"{USAGE}/{demo}", version="2.40", **window)["tenant_usage"]
    assert {server_id, live["id"]} <= {u["instance_id"] for u in own["server_usages"]}
    paged = _list(gateway, "demo-member", f"{USAGE}/{demo}", version="2.40", limit="1", **window)
    assert len(paged["tenant_usage"]["server_usages"]) == 1
    assert "marker=" in paged["tenant_usage_links"][0]["href"]
    with gateway.client("demo-member", version="2.40") as http:
        assert http.get(USAGE, params=window).status_code == 403  # listing every project: admins
        other = http.get(f"{USAGE}/{gateway.project_id('admin')}", params=window)
        assert other.status_code == 403
        backwards = http.get(f"{USAGE}/{demo}", params={"start": window["end"], "end": window["start"]})
        assert backwards.status_code == 400
        assert "start time cannot occur after the end time" in backwards.text
        garbled = http.get(f"{USAGE}/{demo}", params={"start": "yesterday"})
        assert garbled.status_code == 400

    # openstacksdk and the openstack CLI.
    clouds = gateway.clouds_yaml(tmp_path / "clouds.yaml", user="admin")
    config = openstack.config.OpenStackConfig(config_files=[str(clouds)])
    sdk = openstack.connection.Connection(config=config.get_one(CLOUD_NAME))
    try:
        found = {s.id: s.status for s in sdk.compute.servers(deleted=True, all_projects=True)}
        assert found[server_id] == "DELETED"
    finally:
        sdk.close()
    admin_env = gateway.client_env(clouds, dict(os.environ))
    rows = _cli(admin_env, "server", "list", "--deleted", "--all-projects")
    assert {"ID": server_id, "Status": "DELETED"}.items() <= next(
        r for r in rows if r["ID"] == server_id
    ).items()
    events = _cli(admin_env, "server", "event", "list", server_id)
    assert [e["Action"] for e in events] == ["delete", "stop", "create"]
    # The SDK sends detailed=True, which Nova (and the gateway) reads as not detailed ('1' is).
    usage_rows = _cli(admin_env, "usage", "list", "--start", window["start"][:10])
    demo_row = next(r for r in usage_rows if r["Project"] in ("demo", demo))
    assert demo_row["CPU Hours"] == pytest.approx(tenant["total_vcpus_usage"], abs=0.1)
    shown_usage = _cli(admin_env, "usage", "show", "--project", demo, "--start", window["start"][:10])
    counted = shown_usage["Servers"]
    assert (len(counted) if isinstance(counted, list) else int(counted)) >= 2, shown_usage


def _cli(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run(
        [str(OPENSTACK), *args, "-f", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"openstack {' '.join(args)} failed:\n{done.stderr}"
    return json.loads(done.stdout)


def _run(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [str(OPENSTACK), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"openstack {' '.join(args)} failed:\n{done.stderr}"


@pytest.fixture
def soft_deleting(servers: ServerFactory) -> Iterator[ServerFactory]:
    """The gateway with a reclaim interval (Nova's reclaim_instance_interval) for one test; the
    operator keeps its own (0: it never reclaims, so nothing goes behind the test's back)."""
    settings = servers.gateway.settings
    settings.reclaim_instance_interval_seconds = 3600
    try:
        yield servers
    finally:
        settings.reclaim_instance_interval_seconds = 0  # before the factory's clean-up deletes


def test_soft_delete_restore_and_force_delete_with_the_cli(
    soft_deleting: ServerFactory, tmp_path: Path
) -> None:
    servers = soft_deleting
    gateway = servers.gateway
    member_env = gateway.client_env(
        gateway.clouds_yaml(tmp_path / "member.yaml", user="demo-member"), dict(os.environ)
    )
    admin_env = gateway.client_env(
        gateway.clouds_yaml(tmp_path / "admin.yaml", user="admin"), dict(os.environ)
    )
    kept, forced = servers.active(name="kept"), servers.active(name="forced")
    with gateway.client("demo-member", version=LATEST) as http:
        refused = http.post(f"{SERVERS}/{kept['id']}/action", json={"restore": None})
    assert refused.status_code == 409, refused.text
    assert "Cannot 'restore' instance" in refused.text

    _run(member_env, "server", "delete", kept["id"])  # a soft delete: the reclaim interval is set
    servers.wait_status(kept["id"], "SOFT_DELETED")
    shown = servers.show("demo-member", kept["id"]).json()["server"]
    assert shown["OS-EXT-STS:vm_state"] == "soft-delete"
    assert shown["OS-EXT-STS:power_state"] == 4
    plain = {s["ID"] for s in _cli(member_env, "server", "list")}
    assert kept["id"] not in plain  # Nova lists soft-deleted servers only with deleted=True
    deleted = {s["ID"]: s["Status"] for s in _cli(admin_env, "server", "list", "--deleted", "--all-projects")}
    assert deleted[kept["id"]] == "SOFT_DELETED"

    _run(member_env, "server", "restore", kept["id"])
    servers.wait_status(kept["id"], "ACTIVE")
    events = [e["Action"] for e in _cli(member_env, "server", "event", "list", kept["id"])]
    assert events[:2] == ["restore", "delete"]

    _run(member_env, "server", "delete", forced["id"])
    servers.wait_status(forced["id"], "SOFT_DELETED")
    _run(member_env, "server", "delete", "--force", forced["id"])
    servers.wait_gone(forced["id"])
    listed = _list(gateway, "admin", f"{SERVERS}/detail", deleted="True", all_tenants="1")["servers"]
    wait_for(
        lambda: any(
            s["id"] == forced["id"] and s["status"] == "DELETED"
            for s in _list(gateway, "admin", f"{SERVERS}/detail", deleted="True", all_tenants="1")["servers"]
        ),
        timeout=20,
        message="force-deleted server listed as DELETED",
    )
    assert kept["id"] not in {s["id"] for s in listed}
