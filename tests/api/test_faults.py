"""Error answers: Nova fault bodies, the other families' shapes, 400 instead of 422, safe 500s."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from kubenova_api import errors, faults
from kubenova_api.middleware import GatewayMiddleware
from tests.fixtures.gateway import GatewayHandle


@pytest.mark.cluster
class TestOverHttp:
    def test_unknown_route_is_item_not_found(self, gateway: GatewayHandle) -> None:
        with gateway.client("demo-member") as http:
            response = http.get("/compute/v2.1/no-such-collection")
        assert response.status_code == 404
        assert response.json() == {
            "itemNotFound": {"code": 404, "message": "The resource could not be found."}
        }
        assert response.headers["content-type"] == "application/json"

    def test_missing_flavor_message(self, gateway: GatewayHandle) -> None:
        with gateway.client("demo-member") as http:
            response = http.get("/compute/v2.1/flavors/nope")
        assert response.json()["itemNotFound"]["message"] == "Flavor nope could not be found."

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            (b"{not json", "Malformed request body"),
            (
                b'{"flavor": {"name": "x", "ram": "lots", "vcpus": 1, "disk": 0}}',
                "Invalid input for field/attribute ram. Value: lots.",
            ),
            (
                b'{"flavor": {"name": "x", "ram": 1, "vcpus": 1, "disk": 0, "bogus": 1}}',
                "Invalid input for field/attribute flavor. Value: {'name': 'x', 'ram': 1, 'vcpus': 1, "
                "'disk': 0, 'bogus': 1}. Additional properties are not allowed ('bogus' was unexpected)",
            ),
            (
                b'{"flavor": {"ram": 1, "vcpus": 1, "disk": 0}}',
                "Invalid input for field/attribute flavor. Value: {'ram': 1, 'vcpus': 1, 'disk': 0}. "
                "'name' is a required property",
            ),
        ],
    )
    def test_validation_errors_are_bad_request(
        self, gateway: GatewayHandle, body: bytes, message: str
    ) -> None:
        with gateway.client("admin") as http:
            response = http.post(
                "/compute/v2.1/flavors", content=body, headers={"Content-Type": "application/json"}
            )
        assert response.status_code == 400
        fault = response.json()["badRequest"]
        assert fault["code"] == 400
        assert fault["message"].startswith(message)

    def test_missing_token_is_keystone_401_with_www_authenticate(self, gateway: GatewayHandle) -> None:
        with gateway.client() as http:
            response = http.get("/compute/v2.1/flavors")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == 401
        assert response.headers["WWW-Authenticate"] == f'Keystone uri="{gateway.url}/identity/v3"'
        assert response.headers["OpenStack-API-Version"] == "compute 2.1"

    def test_policy_refusal_is_forbidden(self, gateway: GatewayHandle) -> None:
        with gateway.client("demo-member") as http:
            response = http.post(
                "/compute/v2.1/flavors", json={"flavor": {"name": "x", "ram": 1, "vcpus": 1, "disk": 0}}
            )
        assert response.status_code == 403
        assert response.json() == {
            "forbidden": {
                "code": 403,
                "message": "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.",
            }
        }

    def test_other_families(self, gateway: GatewayHandle) -> None:
        with gateway.client("demo-member") as http:
            neutron = http.get("/network/v2.0/networks/nope")
            glance = http.get("/image/v2/images/nope")
        with gateway.client("admin") as http:  # a member is refused any other project (403)
            keystone = http.get("/identity/v3/projects/nope")
        assert neutron.status_code == 404
        assert neutron.json() == {
            "NeutronError": {
                "type": "NetworkNotFound",
                "message": "Network nope could not be found.",
                "detail": "",
            }
        }
        assert glance.status_code == 404
        assert glance.text.startswith("404 Not Found")
        assert keystone.json()["error"] == {
            "code": 404,
            "title": "Not Found",
            "message": "Could not find project: nope.",
        }


def _mini_app() -> FastAPI:
    app = FastAPI()
    faults.install(app)

    @app.get("/compute/v2.1/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/compute/v2.1/typed")
    async def typed(count: int) -> dict[str, int]:
        return {"count": count}

    @app.get("/compute/v2.1/conflict")
    async def conflict() -> None:
        raise errors.ConflictError("Cannot 'stop' instance x while it is in vm_state stopped")

    app.add_middleware(GatewayMiddleware)
    return app


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=_mini_app()), base_url="http://test")


async def test_unexpected_exceptions_become_compute_fault_without_traceback() -> None:
    async with _client() as http:
        response = await http.get("/compute/v2.1/boom")
    assert response.status_code == 500
    fault = response.json()["computeFault"]
    assert fault["code"] == 500
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["X-OpenStack-Request-Id"].startswith("req-")
    assert response.headers["OpenStack-API-Version"] == "compute 2.1"


async def test_fastapi_422_is_replaced_by_nova_400() -> None:
    async with _client() as http:
        response = await http.get("/compute/v2.1/typed", params={"count": "many"})
    assert response.status_code == 400
    assert response.json()["badRequest"]["message"].startswith(
        "Invalid input for field/attribute count. Value: many."
    )


async def test_conflicts_are_conflicting_request() -> None:
    async with _client() as http:
        response = await http.get("/compute/v2.1/conflict")
    assert response.status_code == 409
    assert response.json() == {
        "conflictingRequest": {
            "code": 409,
            "message": "Cannot 'stop' instance x while it is in vm_state stopped",
        }
    }


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.BadRequestError("x"), 400),
        (errors.UnauthorizedError(), 401),
        (errors.PolicyNotAuthorizedError("a"), 403),
        (errors.QuotaExceededError("x"), 403),
        (errors.NotFoundError(), 404),
        (errors.AlreadyExistsError("x"), 409),
        (errors.PayloadTooLargeError("x"), 413),
        (errors.UnsupportedError("x"), 501),
        (errors.UnavailableError("x"), 503),
    ],
)
def test_status_table(error: errors.GatewayError, status: int) -> None:
    assert faults.status_for(error) == status


def test_fault_names_by_code() -> None:
    names = {
        code: next(iter(faults.nova_fault_body(code, "m")))
        for code in (400, 403, 404, 409, 413, 406, 500, 501, 503)
    }
    assert names == {
        400: "badRequest",
        403: "forbidden",
        404: "itemNotFound",
        409: "conflictingRequest",
        413: "overLimit",
        406: "computeFault",
        500: "computeFault",
        501: "notImplemented",
        503: "serviceUnavailable",
    }
