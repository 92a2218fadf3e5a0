"""Server create and update bodies against Nova's ``schemas/servers.py``, per microversion."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.servers import parse_create, parse_update
from tests.unit.gateway.schema_cases import (
    BOOL_ENUM,
    INVALID_NAME,
    Owned,
    expected,
    extra,
    invalid,
    refusal,
    required,
    unexpected,
)

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
NET = "3cb9bc59-5699-4588-a4b1-b87f96708bc6"


def body(version: str, **fields: Any) -> dict[str, Any]:
    server: dict[str, Any] = {"name": "vm", "imageRef": IMAGE, "flavorRef": "1"}
    if APIVersion.parse(version) >= "2.37":
        server["networks"] = "auto"
    server.update(fields)
    return {"server": {k: v for k, v in server.items() if v is not ...}}


# (version, fields, attribute of the parsed server, expected value)
ACCEPTED: list[tuple[str, dict[str, Any], str, Any]] = [
    ("2.1", {"flavorRef": 1}, "flavor_ref", 1),
    ("2.1", {"flavorRef": "http://nova/flavors/1"}, "flavor_ref", "http://nova/flavors/1"),
    ("2.1", {"imageRef": ""}, "image_ref", ""),
    ("2.1", {"imageRef": IMAGE.replace("-", "")}, "image_ref", IMAGE.replace("-", "")),
    ("2.1", {"config_drive": "Yes"}, "config_drive", True),
    ("2.1", {"config_drive": "off"}, "config_drive", False),
    ("2.1", {"return_reservation_id": "True"}, "return_reservation_id", True),
    ("2.1", {"min_count": "2", "max_count": 3}, "min_count", 2),
    ("2.1", {"accessIPv4": "192.0.2.1"}, "access_ipv4", "192.0.2.1"),
    ("2.1", {"accessIPv6": "0000:0000:0000:0000:0000:babe:220.12.22.2"}, "access_ipv6", "::babe:dc0c:1602"),
    ("2.1", {"networks": [{"uuid": "not-a-uuid", "fixed_ip": "10.0.0.3"}]}, "networks", ...),
    ("2.1", {"key_name": "k 1"}, "key_name", "k 1"),
    ("2.1", {"personality": [{"path": "/etc/x", "contents": "eA=="}]}, "personality", ...),
    ("2.19", {"description": None}, "description", None),
    ("2.19", {"description": "d" * 255}, "description", "d" * 255),
    ("2.32", {"networks": [{"uuid": NET, "tag": "t"}]}, "networks", ...),
    ("2.37", {"networks": "none"}, "networks", "none"),
    ("2.37", {"networks": [{"uuid": NET, "port": None}]}, "networks", ...),
    ("2.42", {"networks": [{"uuid": NET, "tag": "t"}]}, "networks", ...),
    ("2.52", {"tags": ["a", "b"]}, "tags", ["a", "b"]),
    ("2.74", {"host": "node-1.example", "hypervisor_hostname": "node_1"}, "host", "node-1.example"),
    ("2.90", {"hostname": "vm-1"}, "hostname", "vm-1"),
    ("2.94", {"hostname": "vm-1.example.org"}, "hostname", "vm-1.example.org"),
]


@pytest.mark.parametrize(("version", "fields", "attr", "expected"), ACCEPTED)
def test_create_accepts(version: str, fields: dict[str, Any], attr: str, expected: Any) -> None:
    server = parse_create(body(version, **fields), APIVersion.parse(version)).server
    if expected is not ...:
        assert getattr(server, attr) == expected


REFUSED: list[tuple[str, dict[str, Any], str | Owned]] = [
    ("2.1", {"name": " vm"}, INVALID_NAME),
    ("2.1", {"name": ""}, invalid("name", "", "'' should be non-empty")),
    ("2.1", {"name": ...}, required("server", field="name")),
    ("2.1", {"flavorRef": ...}, required("server", field="flavorRef")),
    ("2.1", {"flavorRef": ""}, invalid("flavorRef", "", "'' should be non-empty")),
    ("2.1", {"flavorRef": True}, invalid("flavorRef", True, "True is not of type 'string', 'integer'")),
    (
        "2.1",
        {"imageRef": "cirros"},
        invalid("imageRef", "cirros", "'cirros' is not valid under any of the given schemas"),
    ),
    (
        "2.1",
        {"imageRef": None},
        invalid("imageRef", None, "None is not valid under any of the given schemas"),
    ),
    ("2.1", {"adminPass": None}, invalid("adminPass", None, "None is not of type 'string'")),
    ("2.1", {"config_drive": "y"}, invalid("config_drive", "y", f"'y' is not one of {BOOL_ENUM}")),
    ("2.1", {"config_drive": None}, invalid("config_drive", None, "None is not of type 'boolean', 'string'")),
    ("2.1", {"min_count": 0}, invalid("min_count", 0, "0 is less than the minimum of 1")),
    ("2.1", {"min_count": " 2"}, invalid("min_count", " 2", "' 2' does not match '^[0-9]*$'")),
    ("2.1", {"max_count": ""}, invalid("max_count", "", "'' should be non-empty")),
    ("2.1", {"accessIPv4": "::1"}, invalid("accessIPv4", "::1", "'::1' is not a 'ipv4'")),
    ("2.1", {"accessIPv4": None}, invalid("accessIPv4", None, "None is not of type 'string'")),
    ("2.1", {"accessIPv6": "1.2.3.4"}, invalid("accessIPv6", "1.2.3.4", "'1.2.3.4' is not a 'ipv6'")),
    ("2.1", {"key_name": " k"}, INVALID_NAME),
    ("2.1", {"availability_zone": ""}, invalid("availability_zone", "", "'' should be non-empty")),
    (
        "2.1",
        {"OS-DCF:diskConfig": "auto"},
        invalid("OS-DCF:diskConfig", "auto", "'auto' is not one of ['AUTO', 'MANUAL']"),
    ),
    (
        "2.1",
        {"user_data": "not base64!"},
        invalid("user_data", "not base64!", "'not base64!' is not a 'base64'"),
    ),
    ("2.1", {"networks": [{"port": "p1"}]}, invalid("port", "p1", "'p1' is not a 'uuid'")),
    (
        "2.1",
        {"networks": [{"fixed_ip": "10.0.0.300"}]},
        invalid("fixed_ip", "10.0.0.300", "'10.0.0.300' is not valid under any of the given schemas"),
    ),
    ("2.1", {"networks": "auto"}, invalid("networks", "auto", "'auto' is not of type 'array'")),
    ("2.1", {"networks": [{"uuid": NET, "tag": "t"}]}, extra("server", "networks", 0, field="tag")),
    ("2.1", {"description": "d"}, extra("server", field="description")),
    ("2.1", {"tags": ["a"]}, extra("server", field="tags")),
    ("2.1", {"bogus": 1}, extra("server", field="bogus")),
    ("2.1", {"metadata": {"k": 1}}, invalid("k", 1, "1 is not of type 'string'")),
    ("2.19", {"description": "d" * 256}, invalid("description", "d" * 256, f"'{'d' * 256}' is too long")),
    ("2.37", {"networks": ...}, required("server", field="networks")),
    (
        "2.37",
        {"networks": "bogus"},
        invalid("networks", "bogus", "'bogus' is not valid under any of the given schemas"),
    ),
    (
        "2.37",
        {"networks": [{"uuid": "not-a-uuid"}]},
        invalid(
            "networks",
            [{"uuid": "not-a-uuid"}],
            "[{'uuid': 'not-a-uuid'}] is not valid under any of the given schemas",
        ),
    ),
    (
        "2.37",
        {"networks": [{"uuid": NET, "tag": "t"}]},
        invalid(
            "networks",
            [{"uuid": NET, "tag": "t"}],
            f"[{{'uuid': '{NET}', 'tag': 't'}}] is not valid under any of the given schemas",
        ),
    ),
    ("2.52", {"tags": ["a,b"]}, invalid(0, "a,b", "'a,b' does not match '^[^,/]*$'")),
    ("2.52", {"tags": [""]}, invalid(0, "", "'' should be non-empty")),
    ("2.52", {"tags": ["t" * 61]}, invalid(0, "t" * 61, f"'{'t' * 61}' is too long")),
    ("2.57", {"personality": []}, extra("server", field="personality")),
    ("2.73", {"host": "node-1"}, extra("server", field="host")),
    ("2.74", {"host": "node 1"}, invalid("host", "node 1", "'node 1' does not match '^[a-zA-Z0-9-._]*$'")),
    ("2.89", {"hostname": "vm"}, extra("server", field="hostname")),
    (
        "2.90",
        {"hostname": "vm.example"},
        invalid(
            "hostname", "vm.example", "'vm.example' does not match '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$'"
        ),
    ),
    ("2.90", {"hostname": "a" * 64}, invalid("hostname", "a" * 64, f"'{'a' * 64}' is too long")),
    (
        "2.94",
        {"hostname": "vm host"},
        invalid("hostname", "vm host", "'vm host' does not match '^[a-zA-Z0-9-._]*$'"),
    ),
]


@pytest.mark.parametrize(("version", "fields", "message"), REFUSED)
def test_create_refuses(version: str, fields: dict[str, Any], message: str | Owned) -> None:
    sent = body(version, **fields)
    assert refusal(lambda: parse_create(sent, APIVersion.parse(version))) == expected(message, sent)


def test_create_needs_the_server() -> None:
    assert refusal(lambda: parse_create({}, APIVersion.parse("2.1"))) == "'server' is a required property"
    assert refusal(
        lambda: parse_create({"server": {"name": "vm", "flavorRef": 1}, "x": 1}, APIVersion.parse("2.1"))
    ) == (unexpected("x"))


UPDATES_ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    ("2.1", {"name": "new"}),
    ("2.1", {"accessIPv4": "192.0.2.9", "OS-DCF:diskConfig": "AUTO"}),
    ("2.1", {}),
    ("2.19", {"description": None}),
    ("2.90", {"hostname": "vm-2"}),
    ("2.104", {"pinned_availability_zone": None}),
    ("2.104", {"pinned_availability_zone": "az 1"}),
]


@pytest.mark.parametrize(("version", "fields"), UPDATES_ACCEPTED)
def test_update_accepts(version: str, fields: dict[str, Any]) -> None:
    parse_update({"server": fields}, APIVersion.parse(version))


UPDATES_REFUSED: list[tuple[str, dict[str, Any], str | Owned]] = [
    ("2.1", {"name": " new"}, INVALID_NAME),
    ("2.1", {"name": None}, invalid("name", None, "None is not of type 'string'")),
    ("2.1", {"description": "d"}, extra("server", field="description")),
    ("2.1", {"accessIPv6": "x"}, invalid("accessIPv6", "x", "'x' is not a 'ipv6'")),
    ("2.1", {"bogus": 1}, extra("server", field="bogus")),
    ("2.19", {"hostname": "vm"}, extra("server", field="hostname")),
    ("2.103", {"pinned_availability_zone": None}, extra("server", field="pinned_availability_zone")),
    (
        "2.104",
        {"pinned_availability_zone": ""},
        invalid("pinned_availability_zone", "", "'' is not valid under any of the given schemas"),
    ),
]


@pytest.mark.parametrize(("version", "fields", "message"), UPDATES_REFUSED)
def test_update_refuses(version: str, fields: dict[str, Any], message: str | Owned) -> None:
    sent = {"server": fields}
    assert refusal(lambda: parse_update(sent, APIVersion.parse(version))) == expected(message, sent)
