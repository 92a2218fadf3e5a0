"""Hostile input never costs a 5xx, a stall or an unbounded buffer: one regression case per cause
found by probing the gateway from outside (issue 12), on a minimal app with the gateway's
middleware and its body dependency, so each case is exact and fast. The whole gateway is fuzzed
in ``test_fuzz.py``."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from kubenova_api import errors, faults
from kubenova_api.body_limits import MAX_BODY_BYTES
from kubenova_api.bounded_regex import BUDGET_SECONDS, UserPattern
from kubenova_api.deps import JsonBody
from kubenova_api.middleware import GatewayMiddleware
from kubenova_api.schemas.servers import ServerCreate


def _app() -> FastAPI:
    app = FastAPI()
    faults.install(app)

    @app.post("/compute/v2.1/echo")
    async def echo(body: JsonBody) -> dict[str, Any]:
        return {"type": type(body).__name__}

    @app.post("/identity/v3/auth/tokens")
    async def tokens(body: JsonBody) -> dict[str, Any]:
        return {"type": type(body).__name__}

    app.add_middleware(GatewayMiddleware)
    return app


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://test")


async def test_declared_oversized_body_is_413_before_it_is_read() -> None:
    async with _client() as http:
        response = await http.post(
            "/compute/v2.1/echo",
            content=b"x" * (MAX_BODY_BYTES + 1),
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 413
    assert response.json() == {"overLimit": {"code": 413, "message": "Request is too large."}}


async def test_streamed_oversized_body_stops_at_the_limit() -> None:
    """No Content-Length (chunked): the gateway stops reading once the limit is passed."""
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(80 * 1024):  # 80 MiB if it were all read
            sent += 1024
            yield b"[" * 1024

    async with _client() as http:
        response = await http.post("/identity/v3/auth/tokens", content=chunks())
    assert response.status_code == 413
    assert sent <= MAX_BODY_BYTES + 64 * 1024, f"{sent} bytes were read from a body over the limit"


@pytest.mark.parametrize("path", ["/compute/v2.1/echo", "/identity/v3/auth/tokens"])
async def test_absurd_nesting_is_malformed_not_a_crash(path: str) -> None:
    async with _client() as http:
        response = await http.post(path, content=b"[" * 100_000, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "Malformed request body" in response.text


async def test_nesting_within_reason_still_parses() -> None:
    async with _client() as http:
        response = await http.post("/compute/v2.1/echo", content=b"[" * 50 + b"]" * 50)
    assert response.status_code == 200
    assert response.json() == {"type": "list"}


@pytest.mark.parametrize("header", ["OpenStack-API-Version", "X-OpenStack-Nova-API-Version"])
async def test_a_version_with_thousands_of_digits_is_not_acceptable(header: str) -> None:
    digits = "9" * 5000
    value = f"compute 2.{digits}" if header == "OpenStack-API-Version" else f"2.{digits}"
    async with _client() as http:
        response = await http.post("/compute/v2.1/echo", json={}, headers={header: value})
    assert response.status_code == 406
    assert response.json()["computeFault"]["code"] == 406


def test_user_data_with_spaces_is_stored_canonical() -> None:
    """Nova's base64 check ignores whitespace; the CRD pattern does not, so the gateway stores the
    canonical form (the decoded bytes are the same)."""
    raw = base64.b64encode(b"#cloud-config\nhostname: x\n").decode()
    spaced = raw[:8] + " \t" + raw[8:16] + "\n" + raw[16:]
    body = {
        "name": "s",
        "flavorRef": "1",
        "imageRef": "70a599e0-31e7-49b7-b260-868f441e862b",
        "user_data": spaced,
    }
    parsed = ServerCreate.model_validate(body)
    assert parsed.user_data == raw
    with pytest.raises(ValidationError, match="is not a 'base64'"):
        ServerCreate.model_validate({**body, "user_data": "no*base64"})


def test_catastrophic_regex_is_refused_within_the_budget() -> None:
    pattern = UserPattern("name", "^(a|aa)+$")
    started = time.perf_counter()

    def list_a_large_project() -> None:
        for _ in range(1000):
            pattern.search("a" * 60 + "!")

    with pytest.raises(errors.BadRequestError, match="too expensive"):
        list_a_large_project()
    assert time.perf_counter() - started < BUDGET_SECONDS * 4


def test_ordinary_regexes_match_as_python_re_does() -> None:
    assert UserPattern("name", "^web-[0-9]+$").search("web-12")
    assert not UserPattern("name", "^web-[0-9]+$").search("web-x")
    assert UserPattern("ip", r"10\.0\.").search("10.0.0.5")
    with pytest.raises(errors.BadRequestError, match=r"Invalid regular expression in name filter \[\(\]"):
        UserPattern("name", "(")
