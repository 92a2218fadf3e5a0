"""Property-based fuzzing of the whole gateway over HTTP: every route it serves, with generated path
parameters, query strings, headers and JSON (or not-JSON) bodies, as an anonymous caller, a reader
(writes are refused by policy, after parsing) and an admin who only reads. No answer may be a 5xx,
and none may take longer than ``SLOW_SECONDS``.

Bounded and reproducible: ``derandomize`` makes hypothesis draw the same cases every run (a failure
in CI fails again locally), and ``max_examples`` keeps the run to well under a minute. Nothing the
callers may do changes anything: the reader's writes are refused and the admin only reads.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route

from kubenova_api.app import COMPUTE_ROUTERS
from kubenova_api.identity import routes as identity_routes
from kubenova_api.image import routes as image_routes
from kubenova_api.network import routes as network_routes
from kubenova_api.routers import versions
from tests.fixtures.gateway import GatewayHandle

pytestmark = pytest.mark.cluster

SLOW_SECONDS = 2.0
EXAMPLES = 600
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def _routes() -> list[tuple[str, str]]:
    """(method, path template) of every route the gateway serves."""
    routers = [*COMPUTE_ROUTERS, identity_routes.router, image_routes.router, network_routes.router]
    routers.append(versions.fallback_router)
    found: set[tuple[str, str]] = set()
    for router in routers:
        for route in router.routes:
            if isinstance(route, Route):
                for method in route.methods or ():
                    if method != "HEAD":
                        found.add((method, route.path))
    return sorted(found)


ROUTES = _routes()

segments = st.one_of(
    st.uuids().map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/?#%"), min_size=1, max_size=40),
    st.sampled_from(["detail", "..", "%2e%2e", "0", "a" * 300, "1" * 5000]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["True", "yes", "0", "", " ", "2.1", "^(a+)+$", "nova::host", "\x00"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=15), inner, max_size=5),
    max_leaves=25,
)
_KEYS = [
    "server",
    "flavor",
    "keypair",
    "aggregate",
    "metadata",
    "meta",
    "tags",
    "quota_set",
    "auth",
    "reboot",
    "os-stop",
    "lock",
    "add_host",
    "set_metadata",
    "host",
    "name",
    "limit",
    "marker",
]
bodies = st.one_of(
    st.none(),
    json_values,
    st.dictionaries(st.sampled_from(_KEYS), json_values, min_size=1, max_size=3),
    st.binary(max_size=200),
    st.sampled_from([b"[" * 100_000, b'{"a":' * 20_000, b"[" * 1_000 + b"]" * 1_000]),
)
queries = st.dictionaries(
    st.sampled_from(
        [
            "limit",
            "marker",
            "name",
            "status",
            "changes-since",
            "sort_key",
            "sort_dir",
            "all_tenants",
            "deleted",
            "ip",
            "flavor",
            "host",
            "tags",
            "detailed",
            "bogus",
        ]
    ),
    st.one_of(scalars.map(lambda v: "" if v is None else str(v)), st.just("9" * 5000)),
    max_size=4,
)
versions_headers = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "compute 2.1",
            "compute latest",
            "compute 2.96",
            "compute 3.0",
            "compute 2.",
            "compute 2.9999999999",
            "volume 3.0",
            "compute " + "9" * 5000,
        ]
    ),
    # Leading or trailing blanks cannot be sent (h11 refuses them, as HTTP does): stripped.
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30).map(str.strip),
)
callers = st.sampled_from(["anonymous", "demo-reader", "admin"])


def _path(template: str, values: list[str]) -> str:
    parts = iter(values)
    return _PARAM.sub(lambda _: quote(next(parts, "x"), safe=""), template)


def _content(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    return b"" if body is None else json.dumps(body).encode()


@pytest.fixture(scope="module")
def clients(gateway: GatewayHandle) -> Iterator[dict[str, httpx.Client]]:
    made = {
        "anonymous": gateway.client(),
        "demo-reader": gateway.client("demo-reader"),
        "admin": gateway.client("admin"),
    }
    yield made
    for http in made.values():
        http.close()


@dataclass(frozen=True)
class Case:
    route: tuple[str, str]
    params: list[str]
    query: dict[str, str]
    body: Any
    version: str | None
    caller: str


cases = st.builds(
    Case,
    route=st.sampled_from(ROUTES),
    params=st.lists(segments, min_size=3, max_size=3),
    query=queries,
    body=bodies,
    version=versions_headers,
    caller=callers,
)


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=cases)
def test_no_input_gets_a_5xx_or_a_slow_answer(clients: dict[str, httpx.Client], case: Case) -> None:
    method, template = case.route
    if case.caller == "admin" and method != "GET":
        method = "GET"  # the admin only reads: fuzzing must not change the cloud
    headers = {"Content-Type": "application/json"}
    if case.version is not None:
        headers["OpenStack-API-Version"] = case.version
    http = clients[case.caller]
    content = _content(case.body)
    request = http.build_request(
        method, _path(template, case.params), params=case.query, content=content, headers=headers
    )
    started = time.monotonic()
    response = http.send(request)
    elapsed = time.monotonic() - started
    said = f"{case.caller} {method} {request.url} body={content[:200]!r} version={case.version!r}"
    assert response.status_code < 500, f"{response.status_code} for {said}: {response.text[:300]}"
    assert elapsed < SLOW_SECONDS, f"{elapsed:.2f}s for {said}"
