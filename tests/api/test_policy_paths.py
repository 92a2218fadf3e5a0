"""One policy on both paths (issue 12 item 3): the same intents, through the API (as a project
member and as an admin) and through kubectl (as a namespace-scoped editor of Servers and with the
``administer`` permission), get the same answer, and that answer is Nova's default policy.

kubectl requests are server-side dry runs (admission runs, nothing is stored), so each case
leaves the shared servers as they were.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from kubernetes import client

from kubenova_api import policy
from kubenova_api.context import RequestContext
from kubenova_api.identity.directory import IMPLIED_ROLES
from kubenova_api.identity.tokens import TokenData
from tests.api.test_server_support import SERVERS, ServerFactory, boot, servers
from tests.crds.test_server_policy import DENIED, USER, Kubectl
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.simulator import SimulatorHandle
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]

PROJECT = "demo"


@pytest.fixture
def kubectl_users(gateway: GatewayHandle, cluster: Cluster) -> Iterator[dict[str, Kubectl]]:
    """``reader``: carol, who may read the project's Servers; ``member``: alice, editor of them;
    ``admin``: bob, editor with the administer permission (ClusterRole kubenova-compute-admin)."""
    namespace = gateway.directory.namespace_for(gateway.project_id(PROJECT))
    assert namespace
    editor = {
        "apiGroups": ["compute.kubenova.io"],
        "resources": ["servers"],
        "verbs": ["get", "list", "create", "patch"],
    }
    viewer = {**editor, "verbs": ["get", "list"]}
    roles = ["paths-editor", "paths-viewer"]
    bindings = [
        f"{USER}-paths-editor",
        "bob-paths-editor",
        "bob-kubenova-compute-admin",
        "carol-paths-viewer",
    ]
    with cluster.connected() as api:
        rbac = client.RbacAuthorizationV1Api(api)
        rbac.create_namespaced_role(namespace, {"metadata": {"name": "paths-editor"}, "rules": [editor]})
        rbac.create_namespaced_role(namespace, {"metadata": {"name": "paths-viewer"}, "rules": [viewer]})
        for user in (USER, "bob"):
            _bind(rbac, namespace, user, "paths-editor", "Role")
        _bind(rbac, namespace, "bob", "kubenova-compute-admin", "ClusterRole")
        _bind(rbac, namespace, "carol", "paths-viewer", "Role")
        try:
            yield {
                "reader": Kubectl(cluster, str(cluster.issue_client_cert("carol").kubeconfig), namespace),
                "member": Kubectl(cluster, str(cluster.issue_client_cert(USER).kubeconfig), namespace),
                "admin": Kubectl(cluster, str(cluster.issue_client_cert("bob").kubeconfig), namespace),
            }
        finally:
            for role in roles:
                rbac.delete_namespaced_role(role, namespace)
            for binding in bindings:
                rbac.delete_namespaced_role_binding(binding, namespace)


def _bind(rbac: client.RbacAuthorizationV1Api, namespace: str, user: str, role: str, kind: str) -> None:
    body = {
        "metadata": {"name": f"{user}-{role}"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    }
    rbac.create_namespaced_role_binding(namespace, body)


def _answers(done: subprocess.CompletedProcess[str], wanted: bool, refusal: str = DENIED) -> bool:
    """Whether kubectl got ``wanted``: allowed, or refused with ``refusal`` in its message (by
    default the admission policy's, so a refusal by RBAC not yet in force does not count)."""
    return done.returncode == 0 if wanted else done.returncode != 0 and refusal in done.stderr


def _dry_run_create(kubectl: Kubectl, spec: dict[str, Any], wanted: bool, refusal: str = DENIED) -> bool:
    return _answers(kubectl.create("paths-probe", dry_run=True, **spec), wanted, refusal)


def _dry_run_patch(kubectl: Kubectl, name: str, spec: dict[str, Any], wanted: bool) -> bool:
    patch = json.dumps({"spec": spec})
    return _answers(
        kubectl.run("patch", "server", name, "--dry-run=server", "--type=merge", "-p", patch), wanted
    )


NOVA = {  # Nova's default policy: (intent, role) → allowed
    ("create a server", "reader"): False,
    ("create a server", "member"): True,
    ("create a server", "admin"): True,
    ("force a host", "member"): False,
    ("force a host", "admin"): True,
    ("change a server an admin locked", "member"): False,
    ("change a server an admin locked", "admin"): True,
}


def test_creating_a_server_gets_novas_answer_on_both_paths(
    servers: ServerFactory, kubectl_users: dict[str, Kubectl]
) -> None:
    """A reader's role maps to read-only RBAC: Nova's 403 at the API, RBAC's refusal at kubectl."""
    api_users = {"reader": "demo-reader", "member": "demo-member", "admin": "admin"}
    refusal = 'cannot create resource "servers" in API group "compute.kubenova.io"'
    for role, kubectl in kubectl_users.items():
        wanted = NOVA[("create a server", role)]
        response = servers.post(api_users[role])
        assert response.status_code == (202 if wanted else 403), (role, response.text)
        assert wait_for(
            lambda kubectl=kubectl, wanted=wanted: _dry_run_create(kubectl, {}, wanted, refusal),
            timeout=30,
            message=f"kubectl {role}: create allowed={wanted}",
        )


def test_forcing_a_host_gets_novas_answer_on_both_paths(
    servers: ServerFactory,
    kubectl_users: dict[str, Kubectl],
    simulator: SimulatorHandle,
) -> None:
    zone = f"nova:{simulator.node_names[0]}"
    api_users = {"member": "demo-member", "admin": "admin"}
    for role, api_user in api_users.items():
        kubectl, wanted = kubectl_users[role], NOVA[("force a host", role)]
        # The API: Nova's servers:create:forced_host.
        response = servers.post(api_user, servers.body(availability_zone=zone))
        assert (response.status_code == 202) is wanted, (role, response.text)
        if not wanted:
            assert response.status_code == 403, response.text
        # kubectl: the admission policy, once RBAC and the binding are in the apiserver's caches.
        assert wait_for(
            lambda kubectl=kubectl, wanted=wanted: _dry_run_create(
                kubectl, {"availabilityZone": zone}, wanted
            ),
            timeout=30,
            message=f"kubectl {role}: forced host allowed={wanted}",
        )


def test_changing_a_locked_server_gets_novas_answer_on_both_paths(
    servers: ServerFactory,
    kubectl_users: dict[str, Kubectl],
) -> None:
    server = servers.active("demo-member")
    with servers.gateway.client("admin", version="2.73") as admin:
        locked = admin.post(
            f"{SERVERS}/{server['id']}/action", json={"lock": {"locked_reason": "maintenance"}}
        )
        assert locked.status_code == 202, locked.text
    listing = json.loads(kubectl_users["member"].run("get", "servers", "-o", "json").stdout)
    name = next(s["metadata"]["name"] for s in listing["items"] if s["metadata"]["uid"] == server["id"])
    wait_for(
        lambda: kubectl_users["member"].get(name)["spec"].get("locked") is True, timeout=10, message="locked"
    )
    # The API, member first (Nova: InstanceIsLocked, 409), then the admin (allowed).
    with servers.gateway.client("demo-member", version="2.73") as member:
        refused = member.post(f"{SERVERS}/{server['id']}/action", json={"os-stop": None})
    assert refused.status_code == 409, refused.text
    assert f"Instance {server['id']} is locked" in refused.text
    assert NOVA[("change a server an admin locked", "member")] is False
    # kubectl: the same change, as a dry run.
    for role in ("member", "admin"):
        wanted = NOVA[("change a server an admin locked", role)]
        assert wait_for(
            lambda role=role, wanted=wanted: _dry_run_patch(
                kubectl_users[role], name, {"powerState": "Stopped"}, wanted
            ),
            timeout=30,
            message=f"kubectl {role}: change of a locked server allowed={wanted}",
        )
    with servers.gateway.client("admin", version="2.73") as admin:
        stopped = admin.post(f"{SERVERS}/{server['id']}/action", json={"os-stop": None})
    assert stopped.status_code == 202, stopped.text
    servers.wait_status(server["id"], "SHUTOFF")


def _kubectl_name(kubectl: Kubectl, server_id: str) -> str:
    listing = json.loads(kubectl.run("get", "servers", "-o", "json").stdout)
    return str(next(s["metadata"]["name"] for s in listing["items"] if s["metadata"]["uid"] == server_id))


NOVA_UNLOCK = {  # Nova's unlock (is_expected_locked_by + unlock_override): (locked by, role) → allowed
    ("owner", "member"): True,
    ("owner", "admin"): True,
    ("admin", "member"): False,
    ("admin", "admin"): True,
}


def test_unlocking_gets_novas_answer_on_both_paths(
    servers: ServerFactory, kubectl_users: dict[str, Kubectl]
) -> None:
    """A lock taken through the API records who took it (spec.lockedBy); the owner may undo its own
    lock on either path, an admin's only an admin; an owner's unlock that changes anything else is
    refused at kubectl (the API's unlock changes nothing else by construction)."""
    server = servers.active("demo-member")
    action = f"{SERVERS}/{server['id']}/action"
    member = kubectl_users["member"]
    name = _kubectl_name(member, server["id"])
    unlocked = {"locked": False, "lockedReason": None, "lockedBy": None}
    for locker, api_user in (("owner", "demo-member"), ("admin", "admin")):
        with servers.gateway.client(api_user, version="2.73") as http:
            assert http.post(action, json={"lock": {"locked_reason": locker}}).status_code == 202
        assert wait_for(
            lambda locker=locker: member.get(name)["spec"].get("lockedBy") == locker,
            timeout=10,
            message=f"lockedBy {locker}",
        )
        for role, kubectl in kubectl_users.items():
            if role == "reader":
                continue
            wanted = NOVA_UNLOCK[(locker, role)]
            assert wait_for(
                lambda kubectl=kubectl, wanted=wanted: _dry_run_patch(kubectl, name, unlocked, wanted),
                timeout=30,
                message=f"kubectl {role}: unlock of the {locker}'s lock allowed={wanted}",
            )
        # Unlocking and stopping in one write is a change of a locked server.
        assert _dry_run_patch(member, name, {**unlocked, "powerState": "Stopped"}, wanted=False)
        with servers.gateway.client("demo-member", version="2.73") as http:
            response = http.post(action, json={"unlock": None})
        assert (response.status_code == 202) is NOVA_UNLOCK[(locker, "member")], response.text
        if locker == "admin":
            assert response.status_code == 403, response.text
            assert member.get(name)["spec"]["locked"] is True
            # The owner through kubectl: refused as through the API; the admin undoes it.
            assert member.patch(name, {"spec": unlocked}).returncode != 0
            done = kubectl_users["admin"].patch(name, {"spec": unlocked})
            assert done.returncode == 0, done.stderr
        spec = member.get(name)["spec"]
        assert spec["locked"] is False
        assert "lockedBy" not in spec
    # The owner locks and unlocks through kubectl; the API shows each.
    done = member.patch(name, {"spec": {"locked": True, "lockedBy": "owner"}})
    assert done.returncode == 0, done.stderr
    assert servers.show("demo-member", server["id"]).json()["server"]["locked"] is True
    done = member.patch(name, {"spec": unlocked})
    assert done.returncode == 0, done.stderr
    assert servers.show("demo-member", server["id"]).json()["server"]["locked"] is False


# ----- the kubectl half of the role x intent matrix -------------------------------------------------


@dataclass(frozen=True)
class Intent:
    """One thing a user may try through kubectl: a Server created with ``create``, or the shared
    server patched with ``patch`` ("{node}"/"{disabled}" filled in); Nova's answer is the policy
    rule ``rule`` of the default policy table, or ``admin_only`` where Nova's API has no such field
    (the server's user is always the token's)."""

    name: str
    rule: str | None = None
    create: dict[str, Any] | None = None
    patch: dict[str, Any] | None = None

    def nova(self, role: str) -> bool:
        if self.rule is None:
            return role == "admin"
        roles = frozenset((role, *IMPLIED_ROLES[role]))
        token = TokenData("u1", "p1", tuple(roles), 0.0, 1e12, "audit")
        ctx = RequestContext("u1", "u1", "p1", "p1", "p1", roles, "req-1", token)
        return policy.allowed(ctx, f"os_compute_api:{self.rule}", project_id="p1")


def _req(n: int) -> str:
    return f"req-matrix-{n}"


MATRIX = [
    Intent("create a server", "servers:create", create={}),
    Intent(
        "force a host (zone:host)", "servers:create:forced_host", create={"availabilityZone": "nova:{node}"}
    ),
    Intent(
        "force a node (zone::node)", "servers:create:forced_host", create={"availabilityZone": "nova::{node}"}
    ),
    Intent("force a disabled host", "servers:create:forced_host", create={"forcedHost": "{disabled}"}),
    Intent("create as another user", create={"userId": "someone-else"}),
    Intent("use another user's keypair", create={"userId": "keypair-owner", "keyName": "their-key"}),
    Intent("stop", "servers:stop", patch={"powerState": "Stopped"}),
    Intent("pause", "os-pause-server:pause", patch={"powerState": "Paused"}),
    Intent("reboot", "servers:reboot", patch={"reboot": {"type": "HARD", "requestId": _req(1)}}),
    Intent("rebuild", "servers:rebuild", patch={"rebuild": {"requestId": _req(2)}}),
    Intent("resize", "servers:resize", patch={"flavor": "m1.small", "resize": {"requestId": _req(3)}}),
    Intent("shelve", "os-shelve:shelve", patch={"shelved": True}),
    Intent(
        "createImage", "servers:create_image", patch={"snapshot": {"requestId": _req(4), "image": "snap"}}
    ),
    Intent("rescue", "os-rescue", patch={"rescue": {"requestId": _req(5)}}),
    Intent("changePassword", "os-admin-password", patch={"adminPassword": {"requestId": _req(6)}}),
    Intent("rename", "servers:update", patch={"name": "renamed"}),
    Intent("set metadata", "server-metadata:update_all", patch={"metadata": {"k": "v"}}),
    Intent("set tags", "os-server-tags:update_all", patch={"tags": ["t"]}),
    Intent("lock", "os-lock-server:lock", patch={"locked": True, "lockedBy": "owner"}),
    Intent(
        "os-resetState",
        "os-admin-actions:reset_state",
        patch={"resetState": {"state": "error", "requestId": _req(7)}},
    ),
    Intent("migrate", "os-migrate-server:migrate", patch={"migrate": {"requestId": _req(8)}}),
    Intent(
        "migrate to a host",
        "os-migrate-server:migrate:host",
        patch={"migrate": {"requestId": _req(9), "host": "{node}"}},
    ),
    Intent("live-migrate", "os-migrate-server:migrate_live", patch={"liveMigrate": {"requestId": _req(10)}}),
    Intent(
        "abort a live migration",
        "servers:migrations:delete",
        patch={"liveMigrationAbort": {"requestId": _req(11), "migrationId": 1}},
    ),
    Intent("shelveOffload", "os-shelve:shelve_offload", patch={"shelveOffload": {"requestId": _req(12)}}),
    Intent("evacuate", "os-evacuate", patch={"evacuate": {"requestId": _req(14)}}),
    Intent(
        "unshelve to a host",
        "os-shelve:unshelve_to_host",
        patch={"shelved": False, "unshelve": {"requestId": _req(13), "host": "{node}"}},
    ),
    Intent("force a host later", "servers:create:forced_host", patch={"forcedHost": "{node}"}),
    Intent("change the server's user", patch={"userId": "someone-else"}),
]


def _fill(spec: dict[str, Any], node: str, disabled: str) -> dict[str, Any]:
    text = json.dumps(spec).replace("{node}", node).replace("{disabled}", disabled)
    filled: dict[str, Any] = json.loads(text)
    return filled


def test_the_kubectl_path_gives_novas_answer_for_every_role_and_intent(
    servers: ServerFactory,
    kubectl_users: dict[str, Kubectl],
    simulator: SimulatorHandle,
    cluster: Cluster,
) -> None:
    """Every intent of the matrix as reader (read-only RBAC), member (editor) and admin (editor with
    ``administer``), each a server-side dry run (admission runs, nothing is stored), against Nova's
    default policy: 0 mismatches. A refusal counts only with its expected message (RBAC's for the
    reader, the admission policy's for the member), so a refusal for another reason is a mismatch."""
    server = servers.active("demo-member")
    name = _kubectl_name(kubectl_users["member"], server["id"])
    node, disabled = simulator.node_names[0], simulator.node_names[-1]
    assert wait_for(
        lambda: all(
            _dry_run_create(kubectl_users[role], {"forcedHost": node}, role == "admin")
            for role in ("member", "admin")
        ),
        timeout=30,
        message="RBAC and the admission policy in force for every identity",
    )
    with cluster.connected() as api:
        core = client.CoreV1Api(api)
        core.patch_node(disabled, {"spec": {"unschedulable": True}})  # Nova's disabled service
        try:
            mismatches = []
            for intent in MATRIX:
                for role in ("reader", "member", "admin"):
                    kubectl, wanted = kubectl_users[role], intent.nova(role)
                    verb = "create" if intent.create is not None else "patch"
                    refusal = f'cannot {verb} resource "servers"' if role == "reader" else DENIED
                    if intent.create is not None:
                        done = kubectl.create(
                            "matrix-probe", dry_run=True, **_fill(intent.create, node, disabled)
                        )
                    else:
                        patch = json.dumps({"spec": _fill(intent.patch or {}, node, disabled)})
                        done = kubectl.run(
                            "patch", "server", name, "--dry-run=server", "--type=merge", "-p", patch
                        )
                    if not _answers(done, wanted, refusal):
                        mismatches.append(
                            (intent.name, role, wanted, done.returncode, done.stderr.strip()[-200:])
                        )
        finally:
            core.patch_node(disabled, {"spec": {"unschedulable": False}})
    assert mismatches == [], "\n".join(map(str, mismatches))
    # What happened: nothing (dry runs); the server is as it was.
    spec = kubectl_users["member"].get(name)["spec"]
    assert spec.get("powerState") == "Running"
    assert not spec.get("locked")
    assert "migrate" not in spec


def test_undocumented_scheduler_hints_are_honoured_on_neither_path(
    servers: ServerFactory, kubectl_users: dict[str, Kubectl]
) -> None:
    """Nova accepts any hint key (``additionalProperties``) and honours only its filters'; kubenova
    keeps only sameHost, differentHost and group on the Server, whichever path wrote it."""
    body = servers.body()
    body["os:scheduler_hints"] = {"force_hosts": ["node-x"], "query": '[">=", "$free_ram_mb", 1]'}
    response = servers.post("demo-member", body)
    assert response.status_code == 202, response.text
    name = _kubectl_name(kubectl_users["member"], response.json()["server"]["id"])
    assert not kubectl_users["member"].get(name)["spec"].get("schedulerHints")
    for role in ("member", "admin"):
        body = {
            "apiVersion": "compute.kubenova.io/v1alpha1",
            "kind": "Server",
            "metadata": {"name": "hints-probe"},
            "spec": {
                "flavor": "m1.tiny",
                "image": "cirros",
                "schedulerHints": {"sameHost": ["a"], "forceHosts": ["x"]},
            },
        }
        lax = kubectl_users[role].run(
            "create", "--dry-run=server", "--validate=false", "-o", "json", "-f", "-", stdin=json.dumps(body)
        )
        assert lax.returncode == 0, lax.stderr
        assert json.loads(lax.stdout)["spec"]["schedulerHints"] == {"sameHost": ["a"]}, role
