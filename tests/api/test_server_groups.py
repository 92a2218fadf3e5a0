"""/os-server-groups: create, show, list, delete per microversion, schemas, policies, quotas, and
the ``group`` hint of a server create (the group must be the project's, members quota, 2.71)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.test_server_support import LATEST, SERVERS, ServerFactory, boot, servers, unique
from tests.fixtures.gateway import GatewayHandle

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]

GROUPS = "/compute/v2.1/os-server-groups"
QUOTAS = "/compute/v2.1/os-quota-sets"
MISSING = "0b6c8a4e-1c44-4f4f-9d3e-7a7e8f3b9c11"


def _error(response: httpx.Response, code: int) -> str:
    assert response.status_code == code, response.text
    ((_, fault),) = response.json().items()
    assert fault["code"] == code
    return str(fault["message"])


class Groups:
    """Creates server groups through the API; deletes them (as admin) when the test ends."""

    def __init__(self, gateway: GatewayHandle) -> None:
        self.gateway = gateway
        self.created: list[str] = []

    def post(
        self, body: dict[str, Any], *, user: str = "demo-member", version: str = LATEST
    ) -> httpx.Response:
        with self.gateway.client(user, version=version) as http:
            response = http.post(GROUPS, json=body)
        if response.status_code == 200:
            self.created.append(response.json()["server_group"]["id"])
        return response

    def create(
        self, policy: str = "anti-affinity", *, user: str = "demo-member", **rules: int
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"name": unique("sg"), "policy": policy}
        if rules:
            body["rules"] = rules
        response = self.post({"server_group": body}, user=user)
        assert response.status_code == 200, response.text
        group: dict[str, Any] = response.json()["server_group"]
        return group

    def show(self, group_id: str, *, user: str = "demo-member", version: str = LATEST) -> httpx.Response:
        with self.gateway.client(user, version=version) as http:
            return http.get(f"{GROUPS}/{group_id}")

    def cleanup(self) -> None:
        with self.gateway.client("admin") as http:
            for group_id in self.created:
                http.delete(f"{GROUPS}/{group_id}")


@pytest.fixture
def groups(gateway: GatewayHandle) -> Iterator[Groups]:
    made = Groups(gateway)
    try:
        yield made
    finally:
        made.cleanup()


@pytest.fixture
def quota(gateway: GatewayHandle) -> Iterator[Any]:
    """Set quotas of project demo for one test; reset afterwards."""
    project = gateway.project_id("demo")

    def set_quota(**limits: int) -> None:
        with gateway.client("admin") as http:
            response = http.put(f"{QUOTAS}/{project}", json={"quota_set": limits})
            assert response.status_code == 200, response.text

    try:
        yield set_quota
    finally:
        with gateway.client("admin") as http:
            http.delete(f"{QUOTAS}/{project}")


def test_views_per_microversion(gateway: GatewayHandle, groups: Groups) -> None:
    name = unique("sg")
    created = groups.post({"server_group": {"name": name, "policies": ["anti-affinity"]}}, version="2.1")
    assert created.status_code == 200, created.text
    group = created.json()["server_group"]
    assert group == {
        "id": group["id"],
        "name": name,
        "policies": ["anti-affinity"],
        "metadata": {},
        "members": [],
    }
    at_213 = groups.show(group["id"], version="2.13").json()["server_group"]
    assert at_213["project_id"] == gateway.project_id("demo")
    assert at_213["user_id"] == gateway.user_id("demo-member")
    at_264 = groups.show(group["id"], version="2.64").json()["server_group"]
    assert set(at_264) == {"id", "name", "policy", "rules", "members", "project_id", "user_id"}
    assert (at_264["policy"], at_264["rules"]) == ("anti-affinity", {})
    limited = groups.create("anti-affinity", max_server_per_host=3)
    assert (limited["policy"], limited["rules"]) == ("anti-affinity", {"max_server_per_host": 3})
    assert groups.show(limited["id"], version="2.63").json()["server_group"]["policies"] == ["anti-affinity"]


def test_soft_policies_from_2_15(groups: Groups) -> None:
    soft = {"server_group": {"name": "s", "policies": ["soft-affinity"]}}
    assert _error(groups.post(soft, version="2.14"), 400).startswith("Invalid input for field/attribute")
    made = groups.post(soft, version="2.15")
    assert made.status_code == 200, made.text
    assert made.json()["server_group"]["policies"] == ["soft-affinity"]


@pytest.mark.parametrize(
    ("version", "body"),
    [
        ("2.64", {"name": "g", "policies": ["affinity"]}),  # policies went at 2.64
        ("2.63", {"name": "g", "policy": "affinity"}),
        ("2.64", {"name": "g", "policy": "legacy"}),
        ("2.64", {"name": "g", "policy": "anti-affinity", "rules": {"max_server_per_host": 0}}),
        ("2.64", {"name": "g", "policy": "anti-affinity", "rules": {"max_server_per_host": "foo"}}),
        ("2.64", {"name": "g", "policy": "anti-affinity", "rules": {"unknown": 3}}),
        ("2.64", {"policy": "affinity"}),
        ("2.1", {"name": "g", "policies": ["affinity", "anti-affinity"]}),
        ("2.1", {"name": "g", "policies": []}),
        ("2.1", {"name": " g", "policies": ["affinity"]}),
    ],
)
def test_schema_refusals(groups: Groups, version: str, body: dict[str, Any]) -> None:
    message = _error(groups.post({"server_group": body}, version=version), 400)
    # Nova words a bad name in its own way (parameter_types.name's format checker)
    assert message.startswith(("Invalid input for field/attribute", "An invalid 'name' value")), message
    assert groups.created == []


def test_only_anti_affinity_takes_rules(groups: Groups) -> None:
    body = {"server_group": {"name": "g", "policy": "affinity", "rules": {"max_server_per_host": 2}}}
    assert _error(groups.post(body), 400) == "Only anti-affinity policy supports rules."


def test_policies_and_project_scoping(gateway: GatewayHandle, groups: Groups) -> None:
    mine = groups.create()
    theirs = groups.create(user="alt-member")
    assert groups.show(mine["id"], user="demo-reader").status_code == 200
    body = {"server_group": {"name": "r", "policy": "affinity"}}
    assert _error(groups.post(body, user="demo-reader"), 403) == (
        "Policy doesn't allow os_compute_api:os-server-groups:create to be performed."
    )
    assert _error(groups.show(theirs["id"]), 403).startswith("Policy doesn't allow")
    assert _error(groups.show(MISSING), 404) == f"Instance group {MISSING} could not be found."
    with gateway.client("demo-member") as http:
        assert http.delete(f"{GROUPS}/{theirs['id']}").status_code == 403
        listed = {g["id"] for g in http.get(GROUPS, params={"all_projects": "True"}).json()["server_groups"]}
    assert mine["id"] in listed
    assert theirs["id"] not in listed  # a member asking all_projects gets its own, as in Nova
    with gateway.client("admin") as http:
        everyone = {g["id"] for g in http.get(GROUPS, params={"all_projects": "1"}).json()["server_groups"]}
        own = {g["id"] for g in http.get(GROUPS).json()["server_groups"]}
    assert {mine["id"], theirs["id"]} <= everyone
    assert not {mine["id"], theirs["id"]} & own


def test_list_limit_offset_and_delete(gateway: GatewayHandle, groups: Groups) -> None:
    made = [groups.create("affinity")["id"] for _ in range(3)]
    with gateway.client("demo-member") as http:
        everything = [g["id"] for g in http.get(GROUPS).json()["server_groups"]]
        assert [i for i in everything if i in made] == made  # oldest first
        page = http.get(GROUPS, params={"limit": 1, "offset": everything.index(made[1])}).json()
        assert [g["id"] for g in page["server_groups"]] == [made[1]]
        assert _error(http.get(GROUPS, params={"limit": "x"}), 400)
        assert _error(
            http.get(GROUPS, params={"foo": "1"}, headers={"OpenStack-API-Version": "compute 2.75"}), 400
        )
        assert (
            http.get(
                GROUPS, params={"foo": "1"}, headers={"OpenStack-API-Version": "compute 2.74"}
            ).status_code
            == 200
        )
        assert http.delete(f"{GROUPS}/{made[0]}").status_code == 204
        assert (
            _error(http.delete(f"{GROUPS}/{made[0]}"), 404) == f"Instance group {made[0]} could not be found."
        )
    assert groups.show(made[0]).status_code == 404


def test_server_groups_quota(gateway: GatewayHandle, groups: Groups, quota: Any) -> None:
    with gateway.client("demo-member") as http:
        used = len(http.get(GROUPS).json()["server_groups"])
    quota(server_groups=used + 1)
    groups.create()
    body = {"server_group": {"name": "over", "policy": "affinity"}}
    assert _error(groups.post(body), 403) == "Quota exceeded, too many server groups."
    with gateway.client("demo-member") as http:
        detail = http.get(f"{QUOTAS}/{gateway.project_id('demo')}/detail").json()["quota_set"]
        limits = http.get("/compute/v2.1/limits").json()["limits"]["absolute"]
    assert detail["server_groups"]["in_use"] == used + 1
    assert limits["totalServerGroupsUsed"] == used + 1


def _hinted(servers: ServerFactory, group_id: str, **fields: Any) -> dict[str, Any]:
    return {**servers.body(**fields), "os:scheduler_hints": {"group": group_id}}


def _member(servers: ServerFactory, group_id: str) -> dict[str, Any]:
    response = servers.post(body=_hinted(servers, group_id))
    assert response.status_code == 202, response.text
    server: dict[str, Any] = response.json()["server"]
    return server


def test_group_hint_must_name_a_group_of_the_project(servers: ServerFactory, groups: Groups) -> None:
    theirs = groups.create(user="alt-member")
    for group_id in (MISSING, theirs["id"]):
        message = _error(servers.post(body=_hinted(servers, group_id)), 400)
        assert message == f"Instance group {group_id} could not be found."
    assert servers.created == []


def test_members_quota_membership_and_the_2_71_view(
    servers: ServerFactory, groups: Groups, quota: Any
) -> None:
    group = groups.create("soft-anti-affinity")
    quota(server_group_members=2)
    first = _member(servers, group["id"])
    message = _error(servers.post(body=_hinted(servers, group["id"], min_count=2, max_count=2)), 403)
    assert message == "Quota exceeded, too many servers in group"
    second = _member(servers, group["id"])
    shown = groups.show(group["id"]).json()["server_group"]
    assert shown["members"] == [first["id"], second["id"]]
    assert _error(servers.post(body=_hinted(servers, group["id"])), 403)
    view = servers.show("demo-member", first["id"], version="2.71").json()["server"]
    assert view["server_groups"] == [group["id"]]
    assert "server_groups" not in servers.show("demo-member", first["id"], version="2.70").json()["server"]
    with servers.gateway.client("demo-member") as http:
        assert http.delete(f"{SERVERS}/{first['id']}").status_code == 204
    servers.wait_gone(first["id"])
    assert groups.show(group["id"]).json()["server_group"]["members"] == [second["id"]]
    with servers.gateway.client("demo-member") as http:
        assert http.delete(f"{GROUPS}/{group['id']}").status_code == 204
    view = servers.show("demo-member", second["id"], version="2.71").json()["server"]
    assert view["server_groups"] == []  # the group is gone; its former member runs on
