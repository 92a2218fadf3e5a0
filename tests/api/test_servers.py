# Over 300 lines: one resource's API tests (create, show, update, delete, ips, refusals).
"""Servers: create → ACTIVE, show, update, delete, ips, and the ways a create is refused."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import pytest
from kubernetes import client

from kubenova.domain import names
from kubenova.resources import GROUP, VERSION
from tests.api.test_server_support import (
    LATEST,
    SERVERS,
    ServerFactory,
    boot,
    create_flavor,
    delete_flavor,
    servers,
    unique,
)
from tests.fixtures.gateway import GatewayHandle

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]

SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ1EUc0a9B7kXzG2pXRrYbVQx7m8f0wQm9n0Xl3m3Qz test@kubenova"


def _error(response: httpx.Response, code: int) -> str:
    assert response.status_code == code, response.text
    ((_, fault),) = response.json().items()
    assert fault["code"] == code
    return str(fault["message"])


def test_create_answers_like_nova_and_becomes_active(gateway: GatewayHandle, servers: ServerFactory) -> None:
    name = unique("vm")
    with gateway.client("demo-member", version=LATEST) as http:
        response = http.post(SERVERS, json=servers.body(name, metadata={"role": "web"}))
        assert response.status_code == 202, response.text
        created = response.json()["server"]
        servers.created.append(created["id"])
        assert set(created) == {"id", "links", "OS-DCF:diskConfig", "security_groups", "adminPass"}
        assert created["OS-DCF:diskConfig"] == "MANUAL"
        assert created["security_groups"] == [{"name": "default"}]
        assert len(created["adminPass"]) == 12
        assert response.headers["Location"] == f"{gateway.compute_url}/servers/{created['id']}"
        assert [link["rel"] for link in created["links"]] == ["self", "bookmark"]

        # Read-your-writes: the new server is there at once, building.
        building = http.get(f"{SERVERS}/{created['id']}").json()["server"]
        assert building["status"] == "BUILD"
        assert building["OS-EXT-STS:vm_state"] == "building"
        assert building["addresses"] == {}
        assert building["flavor"]["original_name"] == servers.boot.flavor_id

    server = servers.wait_status(created["id"], "ACTIVE")
    project_id = gateway.project_id("demo")
    assert server["name"] == name
    assert server["tenant_id"] == project_id
    assert server["user_id"] == gateway.user_id("demo-member")
    assert server["metadata"] == {"role": "web"}
    assert server["OS-EXT-STS:power_state"] == 1
    assert server["OS-EXT-STS:vm_state"] == "active"
    assert server["OS-EXT-AZ:availability_zone"] == "nova"
    assert server["OS-SRV-USG:launched_at"] is not None
    assert server["image"]["id"] == servers.boot.image_id
    assert server["image"]["links"][0]["href"].endswith(f"/compute/images/{servers.boot.image_id}")
    assert server["flavor"] == {
        "vcpus": 1,
        "ram": 64,
        "disk": 1,
        "ephemeral": 0,
        "swap": 0,
        "original_name": servers.boot.flavor_id,
        "extra_specs": {},
    }
    (address,) = server["addresses"]["private"]
    assert address["version"] == 4
    assert address["OS-EXT-IPS:type"] == "fixed"
    assert address["OS-EXT-IPS-MAC:mac_addr"]
    # hostId hides the host name but is stable per (project, host).
    assert len(server["hostId"]) == 56
    assert "OS-EXT-SRV-ATTR:host" not in server
    assert "host_status" not in server

    admin_view = servers.show("admin", created["id"]).json()["server"]
    host = admin_view["OS-EXT-SRV-ATTR:host"]
    assert server["hostId"] == hashlib.sha224((project_id + host).encode()).hexdigest()
    assert admin_view["OS-EXT-SRV-ATTR:hypervisor_hostname"] == host
    assert admin_view["host_status"] == "UP"
    assert admin_view["OS-EXT-SRV-ATTR:root_device_name"] == "/dev/vda"
    assert admin_view["OS-EXT-SRV-ATTR:reservation_id"].startswith("r-")


def test_flavor_before_2_47_is_a_reference(servers: ServerFactory) -> None:
    created = servers.create()
    server = servers.show("demo-member", created["id"], version="2.46").json()["server"]
    assert server["flavor"]["id"] == servers.boot.flavor_id
    assert server["flavor"]["links"][0]["rel"] == "bookmark"
    assert {"locked", "description", "tags"} <= set(server)
    old = servers.show("demo-member", created["id"], version="2.1").json()["server"]
    for newer in ("locked", "description", "tags", "locked_reason", "pinned_availability_zone"):
        assert newer not in old


def test_other_projects_servers_and_names_are_not_found(servers: ServerFactory) -> None:
    created = servers.create(name="private-vm")
    for user, ref in (("alt-member", created["id"]), ("demo-member", "private-vm")):
        message = _error(servers.show(user, ref), 404)
        assert message == f"Instance {ref} could not be found."
    assert servers.show("admin", created["id"]).status_code == 200
    with servers.gateway.client("alt-member", version=LATEST) as http:
        assert http.delete(f"{SERVERS}/{created['id']}").status_code == 404
        assert http.post(f"{SERVERS}/{created['id']}/action", json={"os-stop": None}).status_code == 404


def test_reader_reads_but_cannot_create(servers: ServerFactory) -> None:
    created = servers.create()
    assert servers.show("demo-reader", created["id"]).status_code == 200
    message = _error(servers.post("demo-reader"), 403)
    assert message == "Policy doesn't allow os_compute_api:servers:create to be performed."


def test_create_refusals(gateway: GatewayHandle, servers: ServerFactory) -> None:
    image = servers.boot.image_id
    missing = "3f5c1b0e-0000-4000-8000-000000000000"
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"flavorRef": "no-such-flavor"}, 400, "Flavor no-such-flavor could not be found."),
        ({"flavorRef": f"{gateway.compute_url}/flavors/nope"}, 400, "Flavor nope could not be found."),
        ({"imageRef": missing, "block_device_mapping_v2": None}, 400, "Can not find requested image"),
        (
            {"imageRef": "cirros", "block_device_mapping_v2": None},
            400,
            "Invalid input for field/attribute imageRef. Value: cirros. 'cirros' is not valid under any",
        ),
        ({"key_name": "no-such-key"}, 400, "Invalid key_name provided."),
        ({"networks": [{"uuid": missing}]}, 400, f"Network {missing} could not be found."),
        ({"networks": [{"port": missing}]}, 400, f"Port {missing} could not be found."),
        ({"availability_zone": "atlantis"}, 400, "The requested availability zone is not available"),
        ({"user_data": "not base64!"}, 400, "is not a 'base64'"),
        ({"min_count": 3, "max_count": 2}, 400, "min_count must be <= max_count"),
        (
            {"metadata": {f"k{i}": "v" for i in range(129)}},
            403,
            "Maximum number of metadata items exceeds 128",
        ),
        ({"bogus": 1}, 400, "Additional properties are not allowed ('bogus' was unexpected)"),
        ({"name": " padded"}, 400, "An invalid 'name' value was provided. The name must be: printable"),
        (
            {
                "block_device_mapping_v2": [
                    {"source_type": "volume", "destination_type": "volume", "uuid": image}
                ]
            },
            400,
            "Block Device Mapping is Invalid",
        ),
    ]
    for fields, code, expected in cases:
        body = servers.body(**fields)
        body["server"] = {k: v for k, v in body["server"].items() if v is not None}
        message = _error(servers.post(body=body), code)
        assert expected in message, (fields, message)
    without_networks = servers.body()
    del without_networks["server"]["networks"]
    assert _error(servers.post(body=without_networks), 400) == (
        f"Invalid input for field/attribute server. Value: {without_networks['server']}. "
        "'networks' is a required property"
    )
    # A forced host or node needs an admin (Nova's servers:create:forced_host), also as zone::node.
    for forced_zone in ("nova:sim-node-0", "nova::sim-node-0", "nova:sim-node-0:sim-node-0"):
        forced = servers.body(availability_zone=forced_zone)
        message = _error(servers.post(body=forced), 403)
        assert message.endswith("servers:create:forced_host to be performed."), forced_zone
    assert _error(servers.post(body=servers.body(availability_zone="a:b:c:d")), 400) == (
        "Unable to parse availability_zone"
    )
    mismatch = servers.body(availability_zone="nova:sim-node-0:sim-node-1")
    assert "do not match" in _error(servers.post("admin", body=mismatch), 400)
    assert servers.created == []


def test_microversion_gated_create_fields(servers: ServerFactory) -> None:
    gated: list[tuple[str, dict[str, Any]]] = [
        ("2.18", {"description": "d"}),
        ("2.51", {"tags": ["a"]}),
        ("2.89", {"hostname": "h"}),
    ]
    for version, fields in gated:
        field = next(iter(fields))
        body = servers.body(**fields)
        message = _error(servers.post(body=body, version=version), 400)
        assert message == (
            f"Invalid input for field/attribute server. Value: {body['server']}. "
            f"Additional properties are not allowed ('{field}' was unexpected)"
        )
    # Before 2.37 networks is optional and must be a list.
    message = _error(servers.post(body=servers.body(networks="auto"), version="2.36"), 400)
    assert "is not of type 'array'" in message


def test_create_with_everything_a_client_may_send(gateway: GatewayHandle, servers: ServerFactory) -> None:
    key_name = unique("k")
    with gateway.client("demo-member", version="2.10") as http:
        assert (
            http.post(
                "/compute/v2.1/os-keypairs", json={"keypair": {"name": key_name, "public_key": SSH_KEY}}
            ).status_code
            == 201
        )
    try:
        user_data = base64.b64encode(b"#cloud-config\n").decode()
        with gateway.client("demo-member", version="2.64") as http:
            made = http.post(
                "/compute/v2.1/os-server-groups",
                json={"server_group": {"name": key_name, "policy": "affinity"}},
            )
        assert made.status_code == 200, made.text
        group = made.json()["server_group"]["id"]
        body = servers.body(
            unique("full"),
            key_name=key_name,
            availability_zone="nova",
            user_data=user_data,
            config_drive=True,
            description="all the fields",
            tags=["blue", "green"],
            metadata={"a": "b"},
            networks=[{"uuid": servers.boot.network_id}],
            security_groups=[{"name": "default"}],
            accessIPv4="192.0.2.10",
            hostname="full-host",
        )
        body["OS-SCH-HNT:scheduler_hints"] = {"group": group, "target_cell": "cell1"}
        response = servers.post(body=body)
        assert response.status_code == 202, response.text
        server_id = response.json()["server"]["id"]
        server = servers.wait_status(server_id, "ACTIVE")
        assert server["key_name"] == key_name
        assert server["config_drive"] == "True"
        assert server["description"] == "all the fields"
        assert server["tags"] == ["blue", "green"]
        assert server["accessIPv4"] == "192.0.2.10"
        assert server["OS-EXT-SRV-ATTR:hostname"] == "full-host"
        assert server["pinned_availability_zone"] == "nova"
        assert server["server_groups"] == [group]
        assert server["scheduler_hints"] == {"group": [group], "target_cell": ["cell1"]}
        admin_view = servers.show("admin", server_id).json()["server"]
        assert admin_view["OS-EXT-SRV-ATTR:user_data"] == user_data
    finally:
        with gateway.client("demo-member", version="2.10") as http:
            http.delete(f"/compute/v2.1/os-keypairs/{key_name}")
            for listed in http.get("/compute/v2.1/os-server-groups").json()["server_groups"]:
                if listed["name"] == key_name:
                    http.delete(f"/compute/v2.1/os-server-groups/{listed['id']}")


def test_quota_refuses_what_does_not_fit(servers: ServerFactory) -> None:
    with servers.gateway.client("demo-member", version=LATEST) as http:
        used = len(http.get(SERVERS).json()["servers"])
    message = _error(servers.post(body=servers.body(min_count=11, max_count=11)), 403)
    assert message == f"Quota exceeded for instances: Requested 11, but already used {used} of 10 instances"
    big = create_flavor(servers.gateway, vcpus=32, ram=64)
    try:
        message = _error(servers.post(body=servers.body(flavorRef=big)), 403)
        assert message.startswith("Quota exceeded for cores: Requested 32, but already used")
    finally:
        delete_flavor(servers.gateway, big)
    assert servers.created == []


def test_multi_create_names_and_reservation(servers: ServerFactory) -> None:
    name = unique("multi")
    response = servers.post(body=servers.body(name, min_count=2, max_count=2, return_reservation_id=True))
    assert response.status_code == 202, response.text
    reservation = response.json()["reservation_id"]
    assert reservation.startswith("r-")
    with servers.gateway.client("admin", version=LATEST) as http:
        # An admin's list is their own project's unless all_tenants asks for every project.
        assert http.get(f"{SERVERS}/detail", params={"reservation_id": reservation}).json()["servers"] == []
        query = {"reservation_id": reservation, "all_tenants": "True"}
        listed = http.get(f"{SERVERS}/detail", params=query).json()["servers"]
    assert sorted(s["name"] for s in listed) == [f"{name}-1", f"{name}-2"]
    assert sorted(s["OS-EXT-SRV-ATTR:launch_index"] for s in listed) == [0, 1]
    assert {s["OS-EXT-SRV-ATTR:hostname"] for s in listed} == {f"{name}-1", f"{name}-2"}
    # Both were written as one reservation of two (the operator builds none before it saw both),
    # and both are built.
    custom = client.CustomObjectsApi(servers.gateway.api_client)
    stored = custom.list_namespaced_custom_object(GROUP, VERSION, "demo", "servers")["items"]
    sizes = [
        o["metadata"]["annotations"].get(names.RESERVATION_SIZE_ANNOTATION)
        for o in stored
        if o["metadata"]["annotations"].get(names.RESERVATION_ID_ANNOTATION) == reservation
    ]
    assert sizes == ["2", "2"]
    for listed_server in listed:
        servers.wait_status(listed_server["id"], "ACTIVE")


def test_update_name_and_description(servers: ServerFactory) -> None:
    created = servers.create()
    with servers.gateway.client("demo-member", version=LATEST) as http:
        response = http.put(
            f"{SERVERS}/{created['id']}", json={"server": {"name": "renamed", "description": "d"}}
        )
        assert response.status_code == 200, response.text
        updated = response.json()["server"]
        assert (updated["name"], updated["description"]) == ("renamed", "d")
        assert "OS-EXT-STS:vm_state" in updated  # 2.75+: the whole server
        assert http.get(f"{SERVERS}/{created['id']}").json()["server"]["name"] == "renamed"
        cleared = http.put(f"{SERVERS}/{created['id']}", json={"server": {"description": None}}).json()
        assert cleared["server"]["description"] is None
    with servers.gateway.client("demo-member", version="2.74") as http:
        old = http.put(f"{SERVERS}/{created['id']}", json={"server": {"name": "again"}}).json()["server"]
        assert old["name"] == "again"
        assert "OS-EXT-STS:vm_state" not in old
    with servers.gateway.client("demo-member", version="2.18") as http:
        refused = http.put(f"{SERVERS}/{created['id']}", json={"server": {"description": "x"}})
        assert _error(refused, 400) == (
            "Invalid input for field/attribute server. Value: {'description': 'x'}. "
            "Additional properties are not allowed ('description' was unexpected)"
        )


def test_ips(servers: ServerFactory) -> None:
    server = servers.active()
    with servers.gateway.client("demo-reader", version=LATEST) as http:
        ips = http.get(f"{SERVERS}/{server['id']}/ips").json()
        assert ips == {
            "addresses": {"private": [{"version": 4, "addr": server["addresses"]["private"][0]["addr"]}]}
        }
        assert http.get(f"{SERVERS}/{server['id']}/ips/private").json() == {
            "private": ips["addresses"]["private"]
        }
        missing = http.get(f"{SERVERS}/{server['id']}/ips/public")
        assert _error(missing, 404) == "Instance is not a member of specified network"


def test_delete(servers: ServerFactory) -> None:
    server = servers.active()
    with servers.gateway.client("demo-member", version=LATEST) as http:
        assert http.delete(f"{SERVERS}/{server['id']}").status_code == 204
        deleting = http.get(f"{SERVERS}/{server['id']}")
        if deleting.status_code == 200:  # the operator is still tearing the VM down
            assert deleting.json()["server"]["OS-EXT-STS:task_state"] == "deleting"
    servers.wait_gone(server["id"])
    with servers.gateway.client("demo-member", version=LATEST) as http:
        assert (
            _error(http.delete(f"{SERVERS}/{server['id']}"), 404)
            == f"Instance {server['id']} could not be found."
        )


def test_admin_forces_a_host(servers: ServerFactory) -> None:
    created = servers.create("admin", availability_zone="nova:sim-node-1")
    server = servers.wait_status(created["id"], "ACTIVE", user="admin")
    assert server["OS-EXT-SRV-ATTR:host"] == "sim-node-1"
    missing = servers.post("admin", servers.body(host="no-such-host"))
    assert _error(missing, 400) == "Compute host no-such-host could not be found."
    assert _error(servers.post(body=servers.body(host="sim-node-1")), 403).endswith(
        "servers:create:requested_destination to be performed."
    )
