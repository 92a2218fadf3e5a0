"""The client package's pure parts: REST paths per kind and API errors → typed exceptions."""

from __future__ import annotations

import json

import pytest
import urllib3

from kubenova import k8s
from kubenova.k8s import errors


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
    assert k8s.SECRETS.path("a b", "c/d") == "/api/v1/namespaces/a%20b/secrets/c%2Fd"


def test_object_key_and_resource_version() -> None:
    obj = {"metadata": {"name": "web", "namespace": "demo", "resourceVersion": "42"}}
    assert k8s.object_key(obj) == ("demo", "web")
    assert k8s.object_key({"metadata": {"name": "n1"}}) == ("", "n1")
    assert k8s.resource_version(obj) == "42"
    assert k8s.resource_version({}) == ""


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
        (410, "Expired", k8s.Gone),
        (429, "TooManyRequests", k8s.Unavailable),
        (503, "ServiceUnavailable", k8s.Unavailable),
        (504, "Timeout", k8s.Unavailable),
        (500, "InternalError", k8s.KubeError),
        (401, "Unauthorized", k8s.KubeError),
    ],
)
def test_errors_become_typed_exceptions(code: int, reason: str, expected: type[k8s.KubeError]) -> None:
    error = errors.from_response(code, status(code, reason, 'servers.compute.kubenova.io "web" not found'))
    assert type(error) is expected
    assert error.status == code
    assert error.reason == reason
    assert "web" in error.message
    assert error.body is not None
    assert error.body["code"] == code


def test_already_exists_is_a_conflict_and_garbage_bodies_still_map() -> None:
    assert isinstance(errors.from_response(409, status(409, "AlreadyExists")), k8s.Conflict)
    error = errors.from_response(404, b"<html>not json</html>")
    assert isinstance(error, k8s.NotFound)
    assert error.reason == "NotFound"
    assert "not json" in error.message
    assert isinstance(errors.from_response(502, b""), k8s.KubeError)


def test_watch_error_events_map_like_answers() -> None:
    gone = errors.from_status_object(
        {"kind": "Status", "code": 410, "reason": "Expired", "message": "too old"}
    )
    assert isinstance(gone, k8s.Gone)
    assert gone.message == "too old"
    assert type(errors.from_status_object({"message": "no code"})) is k8s.KubeError


def test_transport_failures_are_unavailable_and_count_as_maybe_applied() -> None:
    error = errors.from_transport(urllib3.exceptions.ReadTimeoutError(None, "/x", "read timed out"), "GET /x")
    assert isinstance(error, k8s.Unavailable)
    assert error.reason == "ReadTimeoutError"
    assert error.message.startswith("GET /x: ")
    # Callers that undo local bookkeeping only for refusals (< 500) must not for a lost answer.
    assert error.status >= 500
