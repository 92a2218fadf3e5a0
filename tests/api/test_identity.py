"""Keystone v3 flows: discovery, password auth by names and ids, token validation and revocation."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.fixtures.gateway import GatewayHandle

pytestmark = pytest.mark.cluster

KEYSTONE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


def _issue(gateway: GatewayHandle, body: dict[str, object]) -> httpx.Response:
    with gateway.client() as http:
        return http.post("/identity/v3/auth/tokens", json=body)


def _password_body(user: dict[str, object], scope: dict[str, object] | None) -> dict[str, object]:
    auth: dict[str, object] = {"identity": {"methods": ["password"], "password": {"user": user}}}
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


def test_discovery_documents(gateway: GatewayHandle) -> None:
    with gateway.client() as http:
        root = http.get("/identity")
        v3 = http.get("/identity/v3")
    assert root.status_code == 300
    (entry,) = root.json()["versions"]["values"]
    assert entry["id"] == "v3.14"
    assert entry["links"] == [{"rel": "self", "href": f"{gateway.url}/identity/v3/"}]
    assert root.headers["Location"] == f"{gateway.url}/identity/v3/"
    assert v3.status_code == 200
    assert v3.json()["version"]["status"] == "stable"


def test_password_auth_by_names_returns_token_and_catalog(gateway: GatewayHandle) -> None:
    response = _issue(gateway, gateway.auth_body("demo-member", "demo"))
    assert response.status_code == 201, response.text
    assert response.headers["X-Subject-Token"]
    token = response.json()["token"]
    assert token["methods"] == ["password"]
    assert token["user"]["name"] == "demo-member"
    assert token["user"]["domain"] == {"id": "default", "name": "Default"}
    assert token["project"] == {
        "id": gateway.project_id("demo"),
        "name": "demo",
        "domain": {"id": "default", "name": "Default"},
    }
    assert [role["name"] for role in token["roles"]] == ["member", "reader"]
    assert KEYSTONE_TIME.match(token["expires_at"])
    assert KEYSTONE_TIME.match(token["issued_at"])
    assert len(token["audit_ids"]) == 1
    catalog = {entry["type"]: entry for entry in token["catalog"]}
    assert set(catalog) == {"compute", "identity", "image", "network"}
    urls = {"compute": "/compute/v2.1", "identity": "/identity/v3", "image": "/image", "network": "/network"}
    for service_type, entry in catalog.items():
        interfaces = {endpoint["interface"]: endpoint for endpoint in entry["endpoints"]}
        assert set(interfaces) == {"public", "internal", "admin"}
        for endpoint in interfaces.values():
            assert endpoint["url"] == gateway.url + urls[service_type]
            assert endpoint["region_id"] == endpoint["region"] == "RegionOne"


def test_password_auth_by_ids(gateway: GatewayHandle) -> None:
    body = _password_body(
        {"id": gateway.user_id("alt-member"), "password": gateway.passwords["alt-member"]},
        {"project": {"id": gateway.project_id("alt")}},
    )
    response = _issue(gateway, body)
    assert response.status_code == 201, response.text
    assert response.json()["token"]["project"]["name"] == "alt"


def test_domain_by_id_and_nocatalog(gateway: GatewayHandle) -> None:
    body = _password_body(
        {"name": "admin", "domain": {"id": "default"}, "password": gateway.passwords["admin"]},
        {"project": {"name": "admin", "domain": {"id": "default"}}},
    )
    with gateway.client() as http:
        response = http.post("/identity/v3/auth/tokens?nocatalog", json=body)
    assert response.status_code == 201
    token = response.json()["token"]
    assert "catalog" not in token
    assert [role["name"] for role in token["roles"]] == ["admin", "manager", "member", "reader"]


@pytest.mark.parametrize(
    ("user", "scope"),
    [
        (
            {"name": "demo-member", "domain": {"name": "Default"}, "password": "wrong"},
            {"project": {"name": "demo", "domain": {"name": "Default"}}},
        ),
        ({"name": "nobody", "domain": {"name": "Default"}, "password": "x"}, None),
        ({"name": "demo-member", "domain": {"name": "Nowhere"}, "password": "x"}, None),
    ],
)
def test_bad_credentials_answer_keystone_401(
    gateway: GatewayHandle, user: dict[str, object], scope: dict[str, object] | None
) -> None:
    response = _issue(gateway, _password_body(user, scope))
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": 401,
            "title": "Unauthorized",
            "message": "The request you have made requires authentication.",
        }
    }


def test_scoping_to_a_project_without_a_role_is_401(gateway: GatewayHandle) -> None:
    response = _issue(gateway, gateway.auth_body("demo-member", "alt"))
    assert response.status_code == 401


def test_malformed_auth_body_is_400(gateway: GatewayHandle) -> None:
    response = _issue(gateway, {"auth": {"identity": {}}})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 400


def test_validate_head_and_revoke(gateway: GatewayHandle) -> None:
    issued = _issue(gateway, gateway.auth_body("demo-reader", "demo"))
    subject = issued.headers["X-Subject-Token"]
    with gateway.client() as http:
        own = {"X-Auth-Token": subject, "X-Subject-Token": subject}
        shown = http.get("/identity/v3/auth/tokens", headers=own)
        assert shown.status_code == 200
        assert shown.headers["X-Subject-Token"] == subject
        assert shown.json()["token"]["user"]["name"] == "demo-reader"
        assert http.head("/identity/v3/auth/tokens", headers=own).status_code == 200
        # another non-admin user may not inspect it; an admin may
        other = {"X-Auth-Token": gateway.token("alt-member"), "X-Subject-Token": subject}
        assert http.get("/identity/v3/auth/tokens", headers=other).status_code == 403
        admin = {"X-Auth-Token": gateway.token("admin"), "X-Subject-Token": subject}
        assert http.get("/identity/v3/auth/tokens", headers=admin).status_code == 200
        # revoke: the token stops working everywhere at once
        assert http.delete("/identity/v3/auth/tokens", headers=admin).status_code == 204
        assert http.get("/identity/v3/auth/tokens", headers=admin).status_code == 404
        denied = http.get("/compute/v2.1/flavors", headers={"X-Auth-Token": subject})
    assert denied.status_code == 401
    assert denied.headers["WWW-Authenticate"] == f'Keystone uri="{gateway.url}/identity/v3"'


def test_rescoping_with_the_token_method(gateway: GatewayHandle) -> None:
    body: dict[str, Any] = {
        "auth": {
            "identity": {"methods": ["token"], "token": {"id": gateway.token("admin")}},
            "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}},
        }
    }
    response = _issue(gateway, body)
    assert response.status_code == 401  # admin has no role in demo
    body["auth"]["scope"] = {"project": {"name": "admin", "domain": {"name": "Default"}}}
    response = _issue(gateway, body)
    assert response.status_code == 201
    assert response.json()["token"]["methods"] == ["password", "token"]


def test_garbage_tokens_are_401(gateway: GatewayHandle) -> None:
    with gateway.client() as http:
        for token in ("", "garbage", "gAAAAABnot-a-real-fernet-token"):
            response = http.get("/compute/v2.1/flavors", headers={"X-Auth-Token": token} if token else {})
            assert response.status_code == 401


def test_projects_and_users_reads(gateway: GatewayHandle) -> None:
    demo = gateway.project_id("demo")
    with gateway.client("admin") as admin, gateway.client("demo-member") as member:
        assert {p["name"] for p in admin.get("/identity/v3/projects").json()["projects"]} >= {
            "admin",
            "demo",
            "alt",
        }
        assert [
            p["id"] for p in admin.get("/identity/v3/projects", params={"name": "demo"}).json()["projects"]
        ] == [demo]
        assert admin.get(f"/identity/v3/projects/{demo}").json()["project"]["name"] == "demo"
        assert admin.get("/identity/v3/projects/demo").status_code == 404  # names are not ids
        users = admin.get("/identity/v3/users", params={"name": "demo-reader"}).json()["users"]
        assert [u["id"] for u in users] == [gateway.user_id("demo-reader")]
        assert "password_hash" not in users[0]
        assert admin.get("/identity/v3/users/no-such-user").status_code == 404
        # Keystone's defaults for a member: its token's project and itself, nothing else, and no
        # listing; another id is refused whether it exists or not.
        assert member.get(f"/identity/v3/projects/{demo}").json()["project"]["name"] == "demo"
        own = member.get(f"/identity/v3/users/{gateway.user_id('demo-member')}")
        assert own.json()["user"]["name"] == "demo-member"
        refused = {
            "/identity/v3/projects": "identity:list_projects",
            f"/identity/v3/projects/{gateway.project_id('alt')}": "identity:get_project",
            "/identity/v3/projects/no-such-project": "identity:get_project",
            "/identity/v3/users": "identity:list_users",
            f"/identity/v3/users/{gateway.user_id('admin')}": "identity:get_user",
            "/identity/v3/users/no-such-user": "identity:get_user",
        }
        answers = {path: member.get(path) for path in refused}
    for path, action in refused.items():
        assert answers[path].status_code == 403, path
        error = answers[path].json()["error"]
        assert error["title"] == "Forbidden"
        assert error["message"] == f"You are not authorized to perform the requested action: {action}."


def test_domains_reads(gateway: GatewayHandle) -> None:
    """The directory's domains (the local stack has only ``default``): admins list and show them;
    anyone else may show the domain of their token's project only."""
    with gateway.client("admin") as admin, gateway.client("demo-member") as member:
        listed = admin.get("/identity/v3/domains").json()
        assert [d["id"] for d in listed["domains"]] == ["default"]
        assert listed["links"]["self"] == f"{gateway.url}/identity/v3/domains"
        assert (
            admin.get("/identity/v3/domains", params={"name": "Default"}).json()["domains"][0]["id"]
            == "default"
        )
        assert admin.get("/identity/v3/domains", params={"name": "nope"}).json()["domains"] == []
        shown = admin.get("/identity/v3/domains/default").json()
        assert shown == {
            "domain": {
                "id": "default",
                "name": "Default",
                "description": "",
                "enabled": True,
                "tags": [],
                "options": {},
                "links": {"self": f"{gateway.url}/identity/v3/domains/default"},
            }
        }
        missing = admin.get("/identity/v3/domains/nope")
        assert missing.status_code == 404
        assert missing.json()["error"]["message"] == "Could not find domain: nope."
        assert member.get("/identity/v3/domains/default").json() == shown
        refused = {
            "/identity/v3/domains": "identity:list_domains",
            "/identity/v3/domains/nope": "identity:get_domain",
        }
        answers = {path: member.get(path) for path in refused}
    for path, action in refused.items():
        assert answers[path].status_code == 403, path
        assert answers[path].json()["error"]["message"] == (
            f"You are not authorized to perform the requested action: {action}."
        )
