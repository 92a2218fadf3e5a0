"""Policy: the rule table itself (pure) and the same decisions over HTTP for each role."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from kubenova_api import errors, policy
from kubenova_api.context import RequestContext
from kubenova_api.identity.directory import IMPLIED_ROLES
from kubenova_api.identity.tokens import TokenData
from tests.fixtures.gateway import GatewayHandle

DEMO, ALT = "demo-project", "alt-project"


def _ctx(role: str, project: str = DEMO, user: str = "u1") -> RequestContext:
    roles = frozenset((role, *IMPLIED_ROLES[role]))
    token = TokenData(user, project, tuple(roles), 0.0, 1e12, "audit")
    return RequestContext(user, user, project, project, project, roles, "req-1", token)


# (role, action, target project, allowed?)
PROJECT_RULES = [
    ("reader", "os_compute_api:servers:index", DEMO, True),
    ("reader", "os_compute_api:servers:show", ALT, False),
    ("reader", "os_compute_api:servers:create", DEMO, False),
    ("reader", "os_compute_api:servers:stop", DEMO, False),
    ("member", "os_compute_api:servers:create", DEMO, True),
    ("member", "os_compute_api:servers:delete", ALT, False),
    ("member", "os_compute_api:os-migrate-server:migrate", DEMO, False),
    ("manager", "os_compute_api:os-migrate-server:migrate", DEMO, True),
    ("manager", "os_compute_api:os-migrate-server:migrate:host", DEMO, False),
    ("manager", "os_compute_api:servers:create", DEMO, True),
    ("admin", "os_compute_api:servers:delete", ALT, True),
    ("admin", "os_compute_api:os-aggregates:create", DEMO, True),
    ("manager", "os_compute_api:os-aggregates:index", DEMO, False),
    ("member", "os_compute_api:os-hypervisors:list", DEMO, False),
    ("reader", "os_compute_api:os-flavor-extra-specs:index", DEMO, True),
    ("member", "os_compute_api:os-flavor-manage:create", DEMO, False),
    ("reader", "os_compute_api:limits", DEMO, True),
    ("reader", "os_compute_api:os-availability-zone:list", DEMO, True),
    ("member", "os_compute_api:os-availability-zone:detail", DEMO, False),
]


@pytest.mark.parametrize(("role", "action", "project", "expected"), PROJECT_RULES)
def test_project_rules(role: str, action: str, project: str, expected: bool) -> None:
    assert policy.allowed(_ctx(role), action, project_id=project) is expected


@pytest.mark.parametrize("role", ["reader", "member", "manager"])
def test_keypairs_belong_to_users_whatever_their_role(role: str) -> None:
    ctx = _ctx(role, user="u1")
    assert policy.allowed(ctx, "os_compute_api:os-keypairs:create", user_id="u1")
    assert not policy.allowed(ctx, "os_compute_api:os-keypairs:index", user_id="u2")
    assert policy.allowed(_ctx("admin"), "os_compute_api:os-keypairs:delete", user_id="u2")


def test_unknown_actions_are_programming_errors() -> None:
    with pytest.raises(KeyError):
        policy.allowed(_ctx("admin"), "os_compute_api:made-up")


def test_refusals_carry_the_policy_name() -> None:
    with pytest.raises(errors.PolicyNotAuthorizedError, match="os_compute_api:os-aggregates:index"):
        policy.authorize(_ctx("member"), "os_compute_api:os-aggregates:index")


@pytest.fixture(scope="module")
def private_flavor(gateway: GatewayHandle) -> Iterator[str]:
    flavor_id = f"policy-{uuid.uuid4().hex[:8]}"
    with gateway.client("admin") as http:
        body = {
            "flavor": {
                "name": flavor_id,
                "id": flavor_id,
                "ram": 64,
                "vcpus": 1,
                "disk": 0,
                "os-flavor-access:is_public": False,
            }
        }
        assert http.post("/compute/v2.1/flavors", json=body).status_code == 200
        yield flavor_id
        http.delete(f"/compute/v2.1/flavors/{flavor_id}")


USERS = ["demo-reader", "demo-member", "demo-manager", "alt-member", "admin"]


def _expect(allowed_for: set[str], ok: int) -> dict[str, int]:
    return {user: ok if user in allowed_for else 403 for user in USERS}


ALL = set(USERS)
HTTP_TABLE = [
    ("GET", "/compute/v2.1/flavors/detail", None, _expect(ALL, 200)),
    (
        "GET",
        "/compute/v2.1/flavors/{flavor}/os-extra_specs",
        None,
        {**_expect(ALL, 200), "demo-reader": 404, "demo-member": 404, "demo-manager": 404, "alt-member": 404},
    ),
    (
        "POST",
        "/compute/v2.1/flavors/{flavor}/os-extra_specs",
        {"extra_specs": {"a": "b"}},
        _expect({"admin"}, 200),
    ),
    ("GET", "/compute/v2.1/flavors/{flavor}/os-flavor-access", None, _expect({"admin"}, 200)),
    (
        "POST",
        "/compute/v2.1/flavors/{flavor}/action",
        {"removeTenantAccess": {"tenant": "nobody"}},
        _expect({"admin"}, 404),
    ),
    ("DELETE", "/compute/v2.1/flavors/no-such-flavor", None, _expect({"admin"}, 404)),
    ("GET", "/compute/v2.1/os-keypairs", None, _expect(ALL, 200)),
    ("GET", "/compute/v2.1/os-keypairs?user_id=someone-else", None, _expect({"admin"}, 200)),
    ("GET", "/image/v2/images", None, dict.fromkeys(USERS, 200)),
    ("GET", "/network/v2.0/networks", None, dict.fromkeys(USERS, 200)),
]


@pytest.mark.cluster
@pytest.mark.parametrize(("method", "path", "body", "expected"), HTTP_TABLE)
def test_http_policy_table(
    gateway: GatewayHandle,
    private_flavor: str,
    *,
    method: str,
    path: str,
    body: object,
    expected: dict[str, int],
) -> None:
    url = path.format(flavor=private_flavor)
    for user, status in expected.items():
        with gateway.client(user, version="2.61") as http:
            response = http.request(method, url, json=body)
        assert response.status_code == status, (
            f"{user} {method} {url}: {response.status_code} {response.text}"
        )
