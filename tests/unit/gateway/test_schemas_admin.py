"""Aggregate, keypair, quota set, quota class, service and host bodies against Nova's
``schemas/{aggregates,keypairs,quota_sets,quota_classes,services,hosts}.py``."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova_api.microversions import APIVersion
from kubenova_api.schemas import quota_class_sets, quota_sets
from kubenova_api.schemas.aggregates import (
    AddHostRequest,
    AggregateCreateRequest,
    AggregateUpdateRequest,
    CacheImagesRequest,
    SetMetadataRequest,
)
from kubenova_api.schemas.hosts import HostUpdate
from kubenova_api.schemas.keypairs import create_model
from kubenova_api.schemas.services import LegacyServiceUpdateV211, ServiceUpdateV253
from kubenova_api.schemas.validation import parse_body
from tests.unit.gateway.schema_cases import (
    BOOL_ENUM,
    INVALID_NAME,
    Owned,
    expected,
    extra,
    invalid,
    refusal,
    required,
)

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
ANY_OF = "is not valid under any of the given schemas"
METADATA_REGEX = "'^[a-zA-Z0-9-_:. ]{1,255}$'"

# (model, body) accepted
ACCEPTED: list[tuple[type, Any]] = [
    (AggregateCreateRequest, {"aggregate": {"name": "agg"}}),
    (AggregateCreateRequest, {"aggregate": {"name": "agg", "availability_zone": None}}),
    (AggregateCreateRequest, {"aggregate": {"name": "agg", "availability_zone": "az 1"}}),
    (AggregateUpdateRequest, {"aggregate": {"name": " padded "}}),
    (AggregateUpdateRequest, {"aggregate": {"availability_zone": None}}),
    (AddHostRequest, {"add_host": {"host": "node_1.example"}}),
    (SetMetadataRequest, {"set_metadata": {"metadata": {"k": None, "ssd": "true"}}}),
    (CacheImagesRequest, {"cache": [{"id": IMAGE}]}),
    (HostUpdate, {"status": "Enable"}),
    (HostUpdate, {"maintenance_mode": "DISABLE"}),
]


@pytest.mark.parametrize(("model", "body"), ACCEPTED)
def test_accepts(model: type, body: Any) -> None:
    parse_body(model, body)


REFUSED: list[tuple[type, Any, str | Owned]] = [
    (AggregateCreateRequest, {"aggregate": {"name": " agg"}}, INVALID_NAME),
    (AggregateCreateRequest, {"aggregate": {}}, required("aggregate", field="name")),
    (
        AggregateCreateRequest,
        {"aggregate": {"name": "agg", "availability_zone": "a:b"}},
        invalid("availability_zone", "a:b", f"'a:b' {ANY_OF}"),
    ),
    (
        AggregateCreateRequest,
        {"aggregate": {"name": "agg", "availability_zone": ""}},
        invalid("availability_zone", "", f"'' {ANY_OF}"),
    ),
    (AggregateCreateRequest, {"aggregate": {"name": "agg", "x": 1}}, extra("aggregate", field="x")),
    (AggregateUpdateRequest, {"aggregate": {}}, invalid("aggregate", {}, f"{{}} {ANY_OF}")),
    (
        AggregateUpdateRequest,
        {"aggregate": {"name": None}},
        invalid("name", None, "None is not of type 'string'"),
    ),
    (
        AddHostRequest,
        {"add_host": {"host": "a b"}},
        invalid("host", "a b", "'a b' does not match '^[a-zA-Z0-9-._]*$'"),
    ),
    (AddHostRequest, {"add_host": {}}, required("add_host", field="host")),
    (
        SetMetadataRequest,
        {"set_metadata": {"metadata": {"a/b": "x"}}},
        invalid("metadata", {"a/b": "x"}, f"'a/b' does not match any of the regexes: {METADATA_REGEX}"),
    ),
    (
        SetMetadataRequest,
        {"set_metadata": {"metadata": {"k": 1}}},
        invalid("k", 1, "1 is not of type 'string', 'null'"),
    ),
    (
        SetMetadataRequest,
        {"set_metadata": {"metadata": {"k": "v" * 256}}},
        invalid("k", "v" * 256, f"'{'v' * 256}' is too long"),
    ),
    (CacheImagesRequest, {"cache": []}, invalid("cache", [], "[] should be non-empty")),
    (CacheImagesRequest, {"cache": [{"id": "cirros"}]}, invalid("id", "cirros", "'cirros' is not a 'uuid'")),
    (
        HostUpdate,
        {"status": "on"},
        invalid(
            "status",
            "on",
            "'on' is not one of ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE']",
        ),
    ),
    (HostUpdate, {}, f"{{}} {ANY_OF}"),
]


@pytest.mark.parametrize(("model", "body", "message"), REFUSED)
def test_refuses(model: type, body: Any, message: str | Owned) -> None:
    assert refusal(lambda: parse_body(model, body)) == expected(message, body)


# Keypairs: (version, keypair fields, message or None when accepted)
KEYPAIRS: list[tuple[str, dict[str, Any], str | Owned | None]] = [
    ("2.1", {"name": "k-1 _x"}, None),
    ("2.1", {"name": "k.1"}, invalid("name", "k.1", "'k.1' does not match '^[_\\\\- a-zA-Z0-9]+$'")),
    ("2.1", {"name": " k"}, INVALID_NAME),
    ("2.1", {"name": ""}, invalid("name", "", "'' should be non-empty")),
    ("2.1", {"name": "k", "type": "ssh"}, extra("keypair", field="type")),
    ("2.1", {"name": "k", "public_key": None}, invalid("public_key", None, "None is not of type 'string'")),
    ("2.2", {"name": "k", "type": "x509"}, None),
    ("2.2", {"name": "k", "type": "rsa"}, invalid("type", "rsa", "'rsa' is not one of ['ssh', 'x509']")),
    ("2.2", {"name": "k", "user_id": "u"}, extra("keypair", field="user_id")),
    ("2.10", {"name": "k", "user_id": "u"}, None),
    ("2.92", {"name": "k@example.org", "public_key": "ssh-ed25519 AAAA"}, None),
    ("2.92", {"name": "k"}, required("keypair", field="public_key")),
    (
        "2.92",
        {"name": "k/1", "public_key": "x"},
        invalid("name", "k/1", "'k/1' does not match '^[_\\\\-\\\\@\\\\. a-zA-Z0-9]+$'"),
    ),
]


@pytest.mark.parametrize(("version", "fields", "message"), KEYPAIRS)
def test_keypairs(version: str, fields: dict[str, Any], message: str | Owned | None) -> None:
    model = create_model(APIVersion.parse(version))
    sent = {"keypair": fields}
    if message is None:
        parse_body(model, sent)
    else:
        assert refusal(lambda: parse_body(model, sent)) == expected(message, sent)


# Quota sets: (version, quota_set fields, message or None)
QUOTA_SETS: list[tuple[str, dict[str, Any], str | Owned | None]] = [
    ("2.1", {"instances": "10", "fixed_ips": -1, "force": "True"}, None),
    ("2.36", {"fixed_ips": 1}, extra("quota_set", field="fixed_ips")),
    ("2.36", {"injected_files": 1}, None),
    ("2.57", {"injected_files": 1}, extra("quota_set", field="injected_files")),
    ("2.57", {"instances": -2}, invalid("instances", -2, "-2 is less than the minimum of -1")),
    ("2.57", {"instances": "1.5"}, invalid("instances", "1.5", "'1.5' does not match '^-?[0-9]+$'")),
    ("2.57", {"instances": None}, invalid("instances", None, "None is not of type 'integer', 'string'")),
    (
        "2.57",
        {"cores": 2147483648},
        invalid("cores", 2147483648, "2147483648 is greater than the maximum of 2147483647"),
    ),
    ("2.57", {"force": "y"}, invalid("force", "y", f"'y' is not one of {BOOL_ENUM}")),
]


@pytest.mark.parametrize(("version", "fields", "message"), QUOTA_SETS)
def test_quota_sets(version: str, fields: dict[str, Any], message: str | Owned | None) -> None:
    sent = {"quota_set": fields}

    def parse() -> Any:
        return quota_sets.parse_update(sent, APIVersion.parse(version))

    if message is None:
        parse()
    else:
        assert refusal(parse) == expected(message, sent)


QUOTA_CLASSES: list[tuple[str, dict[str, Any], str | Owned | None]] = [
    ("2.1", {"fixed_ips": 1, "injected_files": 2, "instances": "3"}, None),
    ("2.1", {"force": True}, extra("quota_class_set", field="force")),
    ("2.50", {"fixed_ips": 1}, extra("quota_class_set", field="fixed_ips")),
    ("2.50", {"injected_files": 1, "server_groups": 2}, None),
    ("2.57", {"injected_files": 1}, extra("quota_class_set", field="injected_files")),
]


@pytest.mark.parametrize(("version", "fields", "message"), QUOTA_CLASSES)
def test_quota_classes(version: str, fields: dict[str, Any], message: str | Owned | None) -> None:
    sent = {"quota_class_set": fields}

    def parse() -> Any:
        return quota_class_sets.parse_update(sent, APIVersion.parse(version))

    if message is None:
        assert set(parse().limits()) == set(fields)
    else:
        assert refusal(parse) == expected(message, sent)


@pytest.mark.parametrize(
    ("model", "body", "message"),
    [
        (LegacyServiceUpdateV211, {"host": "h", "binary": "nova-compute", "forced_down": "yes"}, None),
        (
            LegacyServiceUpdateV211,
            {"host": "h", "binary": "nova-compute", "forced_down": "maybe"},
            invalid("forced_down", "maybe", f"'maybe' is not one of {BOOL_ENUM}"),
        ),
        (ServiceUpdateV253, {"forced_down": "Off"}, None),
        (ServiceUpdateV253, {"status": "enabled"}, None),
    ],
)
def test_services(model: type, body: Any, message: str | None) -> None:
    if message is None:
        parse_body(model, body)
    else:
        assert refusal(lambda: parse_body(model, body)) == message
