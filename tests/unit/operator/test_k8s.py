"""The client module's pure parts: REST paths per kind and API errors → typed exceptions."""

from __future__ import annotations

import json

import pytest

from kubenova import k8s


def test_paths_of_core_and_custom_kinds() -> None:
    assert k8s.NODES.path() == "/api/v1/nodes"
    assert k8s.NODES.path(name="n1") == "/api/v1/nodes/n1"
    assert k8s.SERVERS.path("demo") == "/apis/compute.kubenova.io/v1alpha1/namespaces/demo/servers"
    assert (
        k8s.SERVERS.path("demo", "web", "status")
        == "/apis/compute.kubenova.io/v1alpha1/namespaces/demo/servers/web/status"
    )
    assert k8s.SERVERS.path() == "/apis/compute.kubenova.io/v1alpha1/servers"  # all namespaces
    assert k8s.FLAVORS.path("ignored", "m1.tiny") == "/apis/compute.kubenova.io/v1alpha1/flavors/m1.tiny"
    assert k8s.VIRTUAL_MACHINES.api_version == "kubevirt.io/v1"
    assert k8s.NODES.api_version == "v1"


def status(code: int, reason: str, message: str = "m") -> bytes:
    return json.dumps({"kind": "Status", "code": code, "reason": reason, "message": message}).encode()


@pytest.mark.parametrize(
    ("code", "reason", "expected"),
    [
        (404, "NotFound", k8s.NotFound),
        (409, "AlreadyExists", k8s.AlreadyExists),
        (409, "Conflict", k8s.Conflict),
        (422, "Invalid", k8s.Invalid),
        (400, "BadRequest", k8s.Invalid),
        (403, "Forbidden", k8s.Forbidden),
        (500, "InternalError", k8s.KubeError),
    ],
)
def test_errors_become_typed_exceptions(code: int, reason: str, expected: type[k8s.KubeError]) -> None:
    error = k8s._error(code, status(code, reason, 'servers.compute.kubenova.io "web" not found'))
    assert type(error) is expected
    assert error.status == code
    assert error.reason == reason
    assert "web" in error.message


def test_already_exists_is_a_conflict_and_garbage_bodies_still_map() -> None:
    assert isinstance(k8s._error(409, status(409, "AlreadyExists")), k8s.Conflict)
    error = k8s._error(404, b"<html>not json</html>")
    assert isinstance(error, k8s.NotFound)
    assert "not json" in error.message
