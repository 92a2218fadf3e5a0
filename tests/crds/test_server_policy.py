"""Nova's rules on the kubectl path (issue 12 item 3): the ValidatingAdmissionPolicy
``kubenova-server-rules`` (manifests/admission/) holds a namespace-scoped editor of Servers to
the rules the gateway applies, and the ``administer`` permission (ClusterRole
``kubenova-compute-admin``) lifts them, as Nova's admin role does.

Every intent runs through the project's kubectl as a user with a client certificate of its own
(``alice``), bound in the test's namespace to a Role that may create, patch and delete Servers;
each refusal is asserted with the API server's message as kubectl prints it.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from kubernetes import client

from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.usefixtures("crds_installed")]

USER = "alice"
DENIED = (
    "ValidatingAdmissionPolicy 'kubenova-server-rules' with binding 'kubenova-server-rules' denied request"
)
FORCED = "Forcing a host (spec.forcedHost, or an availabilityZone of the form zone:host) needs the"
NOT_YOURS = f"spec.userId must be unset or your own user name ({USER})"
ADMINS_LOCK = "was locked by an admin: unlocking it needs the administer permission on servers"
OWNERS_LOCK = "A server locked without the administer permission must record spec.lockedBy: owner"
UNLOCKED = {"locked": False, "lockedReason": None, "lockedBy": None}


@dataclass
class Kubectl:
    """The project's kubectl as one identity, in the test's namespace."""

    cluster: Cluster
    kubeconfig: str
    namespace: str

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return self.cluster.run_kubectl(
            "--kubeconfig", self.kubeconfig, "-n", self.namespace, *args, stdin=stdin, check=False
        )

    def create(self, name: str, *, dry_run: bool = False, **spec: Any) -> subprocess.CompletedProcess[str]:
        body = {
            "apiVersion": "compute.kubenova.io/v1alpha1",
            "kind": "Server",
            "metadata": {"name": name},
            "spec": {"flavor": "m1.tiny", "image": "cirros", **spec},
        }
        extra = ("--dry-run=server",) if dry_run else ()
        return self.run("create", *extra, "-f", "-", stdin=yaml.safe_dump(body))

    def patch(self, name: str, patch: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        return self.run("patch", "server", name, "--type=merge", "-p", json.dumps(patch))

    def get(self, name: str) -> dict[str, Any]:
        done = self.run("get", "server", name, "-o", "json")
        assert done.returncode == 0, done.stderr
        found: dict[str, Any] = json.loads(done.stdout)
        return found


@pytest.fixture
def rbac(cluster: Cluster, namespace: str) -> Iterator[client.RbacAuthorizationV1Api]:
    with cluster.connected() as api:
        rbac = client.RbacAuthorizationV1Api(api)
        role = {
            "metadata": {"name": "server-editor"},
            "rules": [
                {
                    "apiGroups": ["compute.kubenova.io"],
                    "resources": ["servers"],
                    "verbs": ["get", "list", "create", "patch", "update", "delete"],
                }
            ],
        }
        rbac.create_namespaced_role(namespace, role)
        bind(rbac, namespace, "server-editor", "Role")
        yield rbac


def bind(rbac: client.RbacAuthorizationV1Api, namespace: str, role: str, kind: str) -> None:
    body = {
        "metadata": {"name": f"{USER}-{role}"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": USER}],
    }
    rbac.create_namespaced_role_binding(namespace, body)


@pytest.fixture
def editor(cluster: Cluster, namespace: str, rbac: client.RbacAuthorizationV1Api) -> Kubectl:
    """``alice``: may write Servers in the namespace, nothing more."""
    identity = cluster.issue_client_cert(USER)
    kubectl = Kubectl(cluster, str(identity.kubeconfig), namespace)
    # RBAC and the policy's binding reach the apiserver's caches a moment after they are written.
    wait_for(
        lambda: DENIED in kubectl.create("probe", dry_run=True, forcedHost="node-1").stderr,
        timeout=30,
        message="the admission policy refuses a forced host",
    )
    return kubectl


@pytest.fixture
def admin(cluster: Cluster, namespace: str) -> Kubectl:
    return Kubectl(cluster, str(cluster.kubeconfig), namespace)


def name() -> str:
    return f"srv-{secrets.token_hex(3)}"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"forcedHost": "node-1"}, FORCED),
        ({"availabilityZone": "nova:node-1"}, FORCED),
        ({"availabilityZone": "nova::node-1"}, FORCED),
        ({"availabilityZone": ":node-1"}, FORCED),
        ({"availabilityZone": "nova:node-1:node-1"}, FORCED),
        ({"userId": "f3b2c1d0e9a84b7c"}, NOT_YOURS),  # another (Keystone) user's id: their keypairs
    ],
    ids=["forced-host", "zone-host", "zone-node", "host-only", "host-node", "other-user"],
)
def test_an_editor_is_refused_what_nova_allows_only_an_admin(
    editor: Kubectl, spec: dict[str, str], message: str
) -> None:
    done = editor.create(name(), **spec)
    assert done.returncode != 0
    assert DENIED in done.stderr
    assert message in done.stderr


@pytest.mark.parametrize(
    "spec",
    [{}, {"availabilityZone": "nova"}, {"availabilityZone": "nova:"}, {"userId": USER}],
    ids=["plain", "zone-only", "zone-empty-host", "own-user"],
)
def test_an_editor_may_create_what_nova_allows_a_member(editor: Kubectl, spec: dict[str, str]) -> None:
    server = name()
    done = editor.create(server, **spec)
    assert done.returncode == 0, done.stderr
    assert editor.get(server)["spec"].get("userId") == spec.get("userId")


def test_the_user_id_cannot_change_after_create(editor: Kubectl, admin: Kubectl) -> None:
    server = name()
    assert admin.create(server, userId="creator").returncode == 0
    done = editor.patch(server, {"spec": {"userId": USER}})
    assert done.returncode != 0
    assert NOT_YOURS in done.stderr
    assert editor.get(server)["spec"]["userId"] == "creator"


def test_a_locked_server_refuses_an_editors_changes_but_not_its_labels(
    editor: Kubectl, admin: Kubectl
) -> None:
    server = name()
    assert admin.create(server, locked=True, lockedReason="maintenance").returncode == 0
    uid = editor.get(server)["metadata"]["uid"]
    for change in ({"powerState": "Stopped"}, {"name": "renamed"}, {"lockedBy": "owner"}):
        done = editor.patch(server, {"spec": change})
        assert done.returncode != 0, change
        assert f"Instance {uid} is locked" in done.stderr, done.stderr
    # A lock that records no lockedBy was not the owner's: only an admin may undo it.
    done = editor.patch(server, {"spec": {"locked": False}})
    assert done.returncode != 0
    assert f"Instance {uid} {ADMINS_LOCK}" in done.stderr, done.stderr
    labelled = editor.patch(server, {"metadata": {"labels": {"team": "a"}}})
    assert labelled.returncode == 0, labelled.stderr
    after = editor.get(server)
    assert after["spec"]["locked"] is True
    assert after["spec"].get("powerState", "Running") == "Running"
    assert after["metadata"]["labels"]["team"] == "a"


def test_an_owner_may_undo_their_own_lock_and_nothing_more(editor: Kubectl) -> None:
    """Nova: lock records locked_by 'owner' for the server's project; the owner may unlock it, and
    while it is locked nothing else changes, not even in the request that unlocks it."""
    server = name()
    assert editor.create(server).returncode == 0
    uid = editor.get(server)["metadata"]["uid"]
    for lock in ({"locked": True}, {"locked": True, "lockedBy": "admin"}):
        done = editor.patch(server, {"spec": lock})
        assert done.returncode != 0, lock
        assert OWNERS_LOCK in done.stderr, done.stderr
    assert editor.get(server)["spec"]["locked"] is False
    locked = editor.patch(server, {"spec": {"locked": True, "lockedBy": "owner", "lockedReason": "mine"}})
    assert locked.returncode == 0, locked.stderr
    assert editor.get(server)["spec"]["lockedBy"] == "owner"
    for change in ({**UNLOCKED, "powerState": "Stopped"}, {**UNLOCKED, "metadata": {"k": "v"}}):
        done = editor.patch(server, {"spec": change})
        assert done.returncode != 0, change
        assert f"Instance {uid} is locked" in done.stderr, done.stderr
    spec = editor.get(server)["spec"]
    assert (spec["locked"], spec["lockedBy"], spec.get("powerState")) == (True, "owner", "Running")
    assert spec.get("metadata", {}) == {}
    unlocked = editor.patch(server, {"spec": UNLOCKED})
    assert unlocked.returncode == 0, unlocked.stderr
    spec = editor.get(server)["spec"]
    assert spec["locked"] is False
    assert "lockedBy" not in spec
    assert "lockedReason" not in spec
    stopped = editor.patch(server, {"spec": {"powerState": "Stopped"}})
    assert stopped.returncode == 0, stopped.stderr


def test_the_unlock_check_fits_the_cel_cost_budget_on_the_largest_server(editor: Kubectl) -> None:
    """The field-by-field comparison on a Server at its schema's limits (64 KiB of user data, 128
    metadata pairs of 255 characters, 50 tags): the owner's unlock is still decided, both ways."""
    server = name()
    metadata = {f"key-{i:03d}": "v" * 255 for i in range(128)}
    big = {"userData": "QUJD" * 16383, "metadata": metadata, "tags": [f"tag-{i}" for i in range(50)]}
    assert editor.create(server, **big).returncode == 0
    assert editor.patch(server, {"spec": {"locked": True, "lockedBy": "owner"}}).returncode == 0
    changed = editor.patch(server, {"spec": {**UNLOCKED, "metadata": {"key-127": "w" * 255}}})
    assert "is locked" in changed.stderr, changed.stderr
    unlocked = editor.patch(server, {"spec": UNLOCKED})
    assert unlocked.returncode == 0, unlocked.stderr
    spec = editor.get(server)["spec"]
    assert spec["locked"] is False
    assert spec["metadata"] == metadata


def test_an_admins_lock_is_not_the_owners_to_undo(editor: Kubectl, admin: Kubectl) -> None:
    server = name()
    assert admin.create(server, locked=True, lockedBy="admin", lockedReason="audit").returncode == 0
    uid = editor.get(server)["metadata"]["uid"]
    for change in (UNLOCKED, {**UNLOCKED, "lockedBy": "owner"}):
        done = editor.patch(server, {"spec": change})
        assert done.returncode != 0, change
        assert f"Instance {uid} {ADMINS_LOCK}" in done.stderr, done.stderr
    spec = editor.get(server)["spec"]
    assert (spec["locked"], spec["lockedBy"], spec["lockedReason"]) == (True, "admin", "audit")
    assert admin.patch(server, {"spec": UNLOCKED}).returncode == 0
    assert editor.get(server)["spec"]["locked"] is False


ADMIN_REQUEST = "admin requests: writing them needs the administer permission on servers"


def test_admin_requests_are_refused_to_an_editor_but_kept_on_their_other_changes(
    editor: Kubectl, admin: Kubectl
) -> None:
    """Nova: os-resetState, shelveOffload, migrations, evacuate and an unshelve to a host are admin
    (or project manager) actions. An editor cannot write them, on create or later; one an admin
    wrote stays."""
    assert ADMIN_REQUEST in editor.create(name(), resetState={"state": "error", "requestId": "r"}).stderr
    server = name()
    assert editor.create(server).returncode == 0
    for change in (
        {"resetState": {"state": "error", "requestId": "r1"}},
        {"shelveOffload": {"requestId": "r2"}},
        {"migrate": {"requestId": "r3"}},
        {"liveMigrate": {"requestId": "r4", "host": "node-1"}},
        {"liveMigrationAbort": {"requestId": "r5", "migrationId": 1}},
        {"evacuate": {"requestId": "r9"}},
        {"shelved": False, "unshelve": {"requestId": "r6", "host": "node-1"}},
    ):
        done = editor.patch(server, {"spec": change})
        assert done.returncode != 0, change
        assert ADMIN_REQUEST in done.stderr, done.stderr
    assert not {"resetState", "migrate", "unshelve"} & set(editor.get(server)["spec"])
    assert admin.patch(server, {"spec": {"migrate": {"requestId": "r7"}}}).returncode == 0
    renamed = editor.patch(server, {"spec": {"name": "renamed", "unshelve": {"requestId": "r8"}}})
    assert renamed.returncode == 0, renamed.stderr
    spec = editor.get(server)["spec"]
    assert (spec["name"], spec["migrate"], spec["unshelve"]) == (
        "renamed",
        {"requestId": "r7"},
        {"requestId": "r8"},
    )
    done = editor.patch(server, {"spec": {"migrate": None}})
    assert ADMIN_REQUEST in done.stderr, done.stderr


def test_the_administer_permission_lifts_the_rules(
    editor: Kubectl, admin: Kubectl, rbac: client.RbacAuthorizationV1Api, namespace: str
) -> None:
    locked = name()
    assert admin.create(locked, locked=True).returncode == 0
    bind(rbac, namespace, "kubenova-compute-admin", "ClusterRole")
    wait_for(
        lambda: editor.create("probe", dry_run=True, forcedHost="node-1").returncode == 0,
        timeout=30,
        message="alice's administer permission is in force",
    )
    forced = name()
    done = editor.create(forced, availabilityZone="nova:node-1", userId="someone-else")
    assert done.returncode == 0, done.stderr
    assert editor.get(forced)["spec"]["userId"] == "someone-else"
    stopped = editor.patch(locked, {"spec": {"powerState": "Stopped"}})
    assert stopped.returncode == 0, stopped.stderr
    assert editor.get(locked)["spec"]["powerState"] == "Stopped"


def test_only_the_documented_scheduler_hints_are_kept(editor: Kubectl) -> None:
    """The CRD's schema is structural and defines only sameHost, differentHost and group: kubectl
    (strict field validation) refuses another hint; without validation it is dropped, never kept."""
    hints = {"sameHost": ["a"], "query": '[">=", "$free_ram_mb", 1]'}
    done = editor.create(name(), schedulerHints=hints)
    assert done.returncode != 0
    assert 'strict decoding error: unknown field "spec.schedulerHints.query"' in done.stderr
    server = name()
    body = {
        "apiVersion": "compute.kubenova.io/v1alpha1",
        "kind": "Server",
        "metadata": {"name": server},
        "spec": {"flavor": "m1.tiny", "image": "cirros", "schedulerHints": hints},
    }
    lax = editor.run("create", "--validate=false", "-f", "-", stdin=yaml.safe_dump(body))
    assert lax.returncode == 0, lax.stderr
    assert editor.get(server)["spec"]["schedulerHints"] == {"sameHost": ["a"]}


LOCKED_DELETE = "ValidatingAdmissionPolicy 'kubenova-server-delete-rules'"


def test_a_locked_server_cannot_be_deleted_without_the_administer_permission(
    editor: Kubectl, admin: Kubectl
) -> None:
    """Nova: deleting a locked server is refused to a non-admin (the owner unlocks it first)."""
    mine, theirs = name(), name()
    assert editor.create(mine).returncode == 0
    assert editor.patch(mine, {"spec": {"locked": True, "lockedBy": "owner"}}).returncode == 0
    assert admin.create(theirs, locked=True, lockedBy="admin").returncode == 0
    for server in (mine, theirs):
        uid = editor.get(server)["metadata"]["uid"]
        done = editor.run("delete", "server", server, "--wait=false")
        assert done.returncode != 0, server
        assert LOCKED_DELETE in done.stderr, done.stderr
        assert f"Instance {uid} is locked" in done.stderr, done.stderr
        assert editor.get(server)["metadata"].get("deletionTimestamp") is None
    assert editor.patch(mine, {"spec": UNLOCKED}).returncode == 0
    assert editor.run("delete", "server", mine, "--wait=false").returncode == 0
    assert admin.run("delete", "server", theirs, "--wait=false").returncode == 0
    for server in (mine, theirs):
        wait_for(
            lambda s=server: "NotFound" in admin.run("get", "server", s).stderr,  # type: ignore[misc]
            timeout=30,
            message=f"{server} deleted",
        )


def test_a_namespace_holding_a_locked_server_is_still_deleted(cluster: Cluster, editor: Kubectl) -> None:
    """The namespace controller is not held to Nova's lock: a project's deletion always finishes."""
    with cluster.connected() as api:
        core = client.CoreV1Api(api)
        namespace = f"locked-{secrets.token_hex(3)}"
        core.create_namespace({"metadata": {"name": namespace}})
        admin = Kubectl(cluster, str(cluster.kubeconfig), namespace)
        assert admin.create(name(), locked=True, lockedBy="admin").returncode == 0
        core.delete_namespace(namespace)

        def gone() -> bool:
            try:
                core.read_namespace(namespace)
            except client.ApiException as error:
                return error.status == 404
            return False

        wait_for(gone, timeout=60, message=f"namespace {namespace} deleted")
