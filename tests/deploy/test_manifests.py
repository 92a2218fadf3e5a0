# Over 300 lines: one rendering of the manifests checked property by property.
"""What `kubectl apply -k manifests/` installs, read from kustomize's own rendering.

These are the properties a reviewer of the manifests would check by hand: the CRDs are the
generated ones, nothing runs as root or with capabilities, the operator never runs twice, the
gateway is replicated behind its Service, the simulator only comes with its overlay, the image can
be overridden in one place, and no role grants wildcards or Secrets beyond the gateway's own.
"""

from __future__ import annotations

import base64
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubenova.crdgen import render_all
from tests.deploy.conftest import DEFAULT, MANIFESTS, REPO, WITH_SIMULATOR, Render, kustomize

NAMESPACE = "kubenova-system"
PROJECT_VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def kustomize_objects(kubectl: Path, directory: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(kustomize(kubectl, directory)) if d]


def _by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def _workloads(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Everything with a pod template: the Deployments and the bootstrap Job."""
    return {o["metadata"]["name"]: o for o in objects if o["kind"] in ("Deployment", "Job")}


def _containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    spec = workload["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


# ----- CRDs ---------------------------------------------------------------------------------------


def test_crds_kustomization_lists_exactly_the_generated_crds() -> None:
    """crds/kustomization.yml is hand-written; a kind added to the models must be added there too."""
    listed = yaml.safe_load((REPO / "crds" / "kustomization.yml").read_text())["resources"]
    assert sorted(listed) == sorted(render_all())


@pytest.mark.parametrize("entry", [DEFAULT, WITH_SIMULATOR], ids=["default", "with-simulator"])
def test_installs_the_generated_crds_unchanged(render: Render, entry: Path) -> None:
    installed = _by_kind(render(entry), "CustomResourceDefinition")
    generated = {}
    for text in render_all().values():
        crd = yaml.safe_load(text)
        generated[crd["metadata"]["name"]] = crd
    assert sorted(installed) == sorted(generated)
    for name, crd in installed.items():
        assert crd["spec"] == generated[name]["spec"], name


# ----- what each entry point contains -------------------------------------------------------------


def test_default_install_runs_operator_gateway_and_bootstrap_without_the_simulator(render: Render) -> None:
    objects = render(DEFAULT)
    assert sorted(_by_kind(objects, "Deployment")) == ["kubenova-gateway", "kubenova-operator"]
    assert sorted(_by_kind(objects, "Job")) == ["kubenova-bootstrap"]
    assert sorted(_by_kind(objects, "ServiceAccount")) == [
        "kubenova-bootstrap",
        "kubenova-gateway",
        "kubenova-operator",
    ]
    assert not [o for o in objects if "simulator" in o["metadata"]["name"]]


def test_simulator_overlay_adds_exactly_the_simulator(render: Render) -> None:
    def keys(objects: list[dict[str, Any]]) -> set[tuple[str, str]]:
        return {(o["kind"], o["metadata"]["name"]) for o in objects}

    added = keys(render(WITH_SIMULATOR)) - keys(render(DEFAULT))
    assert added == {
        ("ServiceAccount", "kubevirt-simulator"),
        ("ClusterRole", "kubevirt-simulator"),
        ("ClusterRoleBinding", "kubevirt-simulator"),
        ("Deployment", "kubevirt-simulator"),
        ("Role", "kubevirt-simulator-node-leases"),
        ("RoleBinding", "kubevirt-simulator-node-leases"),
    }
    assert keys(render(DEFAULT)) <= keys(render(WITH_SIMULATOR))


@pytest.mark.parametrize("entry", [DEFAULT, WITH_SIMULATOR], ids=["default", "with-simulator"])
def test_every_namespaced_object_lives_in_kubenova_system(render: Render, entry: Path) -> None:
    cluster_scoped = {
        "Namespace",
        "CustomResourceDefinition",
        "ClusterRole",
        "ClusterRoleBinding",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
    }
    # The simulator renews fake Nodes' Leases where kubelets do.
    elsewhere = {
        ("Role", "kubevirt-simulator-node-leases"): "kube-node-lease",
        ("RoleBinding", "kubevirt-simulator-node-leases"): "kube-node-lease",
    }
    for obj in render(entry):
        key = (obj["kind"], obj["metadata"]["name"])
        if obj["kind"] in cluster_scoped:
            assert "namespace" not in obj["metadata"], key
        else:
            assert obj["metadata"].get("namespace") == elsewhere.get(key, NAMESPACE), key
        assert obj["metadata"]["labels"]["app.kubernetes.io/part-of"] == "kubenova"


# ----- workloads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", [DEFAULT, WITH_SIMULATOR], ids=["default", "with-simulator"])
def test_every_pod_meets_the_restricted_pod_security_standard(render: Render, entry: Path) -> None:
    namespace = _by_kind(render(entry), "Namespace")[NAMESPACE]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for name, workload in _workloads(render(entry)).items():
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["serviceAccountName"] == name, name
        for host_namespace in ("hostNetwork", "hostPID", "hostIPC"):
            assert not pod.get(host_namespace), name
        for container in _containers(workload):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert not context.get("privileged"), name
            # A read-only root needs a writable /tmp for Python's tempfile.
            assert {m["mountPath"] for m in container["volumeMounts"]} == {"/tmp"}, name


@pytest.mark.parametrize("entry", [DEFAULT, WITH_SIMULATOR], ids=["default", "with-simulator"])
def test_every_container_has_requests_and_limits(render: Render, entry: Path) -> None:
    for name, workload in _workloads(render(entry)).items():
        for container in _containers(workload):
            resources = container["resources"]
            for section in ("requests", "limits"):
                assert set(resources[section]) == {"cpu", "memory"}, (name, section)


def test_operator_runs_once_with_recreate_and_kopf_liveness(render: Render) -> None:
    operator = _by_kind(render(DEFAULT), "Deployment")["kubenova-operator"]
    assert operator["spec"]["replicas"] == 1
    assert operator["spec"]["strategy"] == {"type": "Recreate"}
    (container,) = operator["spec"]["template"]["spec"]["containers"]
    assert container["args"][0] == "operator"
    assert "--liveness=http://0.0.0.0:8080/healthz" in container["args"]
    probe = container["livenessProbe"]["httpGet"]
    assert probe["path"] == "/healthz"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports[probe["port"]] == 8080


def test_gateway_is_replicated_behind_a_service_on_8774(render: Render) -> None:
    objects = render(DEFAULT)
    gateway = _by_kind(objects, "Deployment")["kubenova-gateway"]
    assert gateway["spec"]["replicas"] >= 2
    (container,) = gateway["spec"]["template"]["spec"]["containers"]
    assert container["args"][0] == "gateway"
    assert "--port=8774" in container["args"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert probe in container, probe
    service = _by_kind(objects, "Service")["kubenova-gateway"]
    (port,) = service["spec"]["ports"]
    assert port["port"] == 8774
    target = {p["name"]: p["containerPort"] for p in container["ports"]}[port["targetPort"]]
    assert target == 8774
    pod_labels = gateway["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    budget = _by_kind(objects, "PodDisruptionBudget")["kubenova-gateway"]
    assert budget["spec"]["minAvailable"] < gateway["spec"]["replicas"]


def test_operator_and_gateway_agree_on_which_nodes_are_compute_hosts(render: Render) -> None:
    deployments = _by_kind(render(DEFAULT), "Deployment")

    def env(name: str) -> dict[str, str]:
        (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        return {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}

    selector = env("kubenova-operator")["KUBENOVA_COMPUTE_NODE_SELECTOR"]
    assert selector == env("kubenova-gateway")["KUBENOVA_API_COMPUTE_NODE_SELECTOR"]
    # virt-handler (and the simulator) label the Nodes that can run VMs.
    assert selector == "kubevirt.io/schedulable=true"


def test_simulator_runs_once(render: Render) -> None:
    simulator = _by_kind(render(WITH_SIMULATOR), "Deployment")["kubevirt-simulator"]
    assert simulator["spec"]["replicas"] == 1
    assert simulator["spec"]["strategy"] == {"type": "Recreate"}
    (container,) = simulator["spec"]["template"]["spec"]["containers"]
    assert container["args"][0] == "simulator"


# ----- image --------------------------------------------------------------------------------------


def test_all_components_use_one_image_tagged_with_the_project_version(render: Render) -> None:
    images = {
        container["image"]
        for workload in _workloads(render(WITH_SIMULATOR)).values()
        for container in _containers(workload)
    }
    assert images == {f"kubenova:{PROJECT_VERSION}"}


@pytest.mark.parametrize("entry", [DEFAULT, WITH_SIMULATOR], ids=["default", "with-simulator"])
def test_an_overlay_overrides_every_image_with_one_images_entry(
    kubectl: Path, tmp_path: Path, entry: Path
) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                # kustomize refuses absolute roots; a relative path out of tmp_path is fine.
                "resources": [os.path.relpath(entry, tmp_path)],
                "images": [{"name": "kubenova", "newName": "registry.example/ops/kubenova", "newTag": "v9"}],
            }
        )
    )
    objects = kustomize_objects(kubectl, tmp_path)
    images = {
        container["image"] for workload in _workloads(objects).values() for container in _containers(workload)
    }
    assert images == {"registry.example/ops/kubenova:v9"}


def test_an_overlay_replaces_the_placeholder_passwords(kubectl: Path, tmp_path: Path) -> None:
    """The recipe in docs/install.md: a secretGenerator with behavior: replace."""
    placeholder = _by_kind(kustomize_objects(kubectl, DEFAULT), "Secret")["kubenova-bootstrap"]
    assert all(v.startswith("CHANGE-ME") for v in placeholder["stringData"].values())
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "resources": [os.path.relpath(DEFAULT, tmp_path)],
                "secretGenerator": [
                    {
                        "name": "kubenova-bootstrap",
                        "namespace": NAMESPACE,
                        "behavior": "replace",
                        "literals": ["admin-password=s3cret-admin", "default-password=s3cret-demo"],
                        "options": {"disableNameSuffixHash": True},
                    }
                ],
            }
        )
    )
    secret = _by_kind(kustomize_objects(kubectl, tmp_path), "Secret")["kubenova-bootstrap"]
    assert "stringData" not in secret
    assert {k: base64.b64decode(v).decode() for k, v in secret["data"].items()} == {
        "admin-password": "s3cret-admin",
        "default-password": "s3cret-demo",
    }


def test_bootstrap_job_reads_both_passwords_from_the_secret(render: Render) -> None:
    job = _by_kind(render(DEFAULT), "Job")["kubenova-bootstrap"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["args"][0] == "bootstrap"
    refs = {
        e["name"]: e["valueFrom"]["secretKeyRef"]
        for e in container["env"]
        if "secretKeyRef" in e.get("valueFrom", {})
    }
    assert refs == {
        "KUBENOVA_BOOTSTRAP_ADMIN_PASSWORD": {"name": "kubenova-bootstrap", "key": "admin-password"},
        "KUBENOVA_BOOTSTRAP_DEFAULT_PASSWORD": {"name": "kubenova-bootstrap", "key": "default-password"},
    }
    # No password on the command line: the bootstrap reads them from its environment.
    assert container["args"] == ["bootstrap"]


# ----- RBAC ---------------------------------------------------------------------------------------


def _rules(objects: list[dict[str, Any]], kind: str, name: str) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = _by_kind(objects, kind)[name]["rules"]
    return rules


def test_no_role_uses_wildcards_or_escalation_verbs(render: Render) -> None:
    objects = render(WITH_SIMULATOR)
    roles = [o for o in objects if o["kind"] in ("Role", "ClusterRole")]
    # 7 + the gateway's quota and revocation ConfigMap Roles + the operator's quota ConfigMap Role
    # + kubenova-compute-admin (bound by the cluster's administrator, not by kubenova)
    assert len(roles) == 11
    for role in roles:
        for rule in role["rules"]:
            for field in ("apiGroups", "resources", "verbs"):
                assert "*" not in rule[field], (role["metadata"]["name"], rule)
            assert not {"escalate", "bind", "impersonate"} & set(rule["verbs"]), role["metadata"]["name"]
            assert "nonResourceURLs" not in rule


def test_secrets_are_reachable_only_by_name_in_kubenova_system(render: Render) -> None:
    """No ClusterRole can read Secrets; the namespaced Roles name the Secrets they read or write
    (create alone cannot be limited by name). The operator writes cloud-init Secrets next to VMs in
    project namespaces, without being able to read, patch or delete any (a patch or delete answers
    with the object, so either would be a read). The gateway replaces (PUT, whose answer is what it
    sent) a server's guest-password Secret for changePassword."""
    objects = render(WITH_SIMULATOR)
    secret_writers = {}
    for name, cluster_role in _by_kind(objects, "ClusterRole").items():
        for rule in cluster_role["rules"]:
            if "secrets" in rule["resources"]:
                secret_writers[name] = set(rule["verbs"])
    assert secret_writers == {"kubenova-operator": {"create"}, "kubenova-gateway": {"update"}}
    roles = {
        name: role
        for name, role in _by_kind(objects, "Role").items()
        if any("secrets" in rule["resources"] for rule in role["rules"])
    }
    assert sorted(roles) == ["kubenova-bootstrap", "kubenova-gateway-secrets"]
    own = {"kubenova-identity", "kubenova-token-key", "kubenova-token-revocations"}
    for role in roles.values():
        assert role["metadata"]["namespace"] == NAMESPACE
        for rule in role["rules"]:
            assert rule["resources"] == ["secrets"]
            if rule["verbs"] != ["create"]:
                assert set(rule["resourceNames"]) <= own, role["metadata"]["name"]
    # Only the bootstrap Job writes the identity directory; the gateway writes no Secret (its
    # revocations are ConfigMaps; the old revocation Secret is only read).
    gateway_writes = [
        r for r in roles["kubenova-gateway-secrets"]["rules"] if {"patch", "update"} & set(r["verbs"])
    ]
    assert gateway_writes == []


@pytest.mark.parametrize(
    ("role", "grant"),
    [
        ("kubenova-operator", ("compute.kubenova.io", "servers/status", "patch", True)),
        ("kubenova-operator", ("kubevirt.io", "virtualmachines", "create", True)),
        ("kubenova-operator", ("compute.kubenova.io", "servers", "create", False)),
        ("kubenova-operator", ("", "namespaces", "create", True)),  # the snapshot image namespace
        ("kubenova-operator", ("", "nodes", "create", False)),
        ("kubenova-gateway", ("compute.kubenova.io", "servers", "create", True)),
        ("kubenova-gateway", ("compute.kubenova.io", "servers/status", "patch", False)),
        ("kubenova-gateway", ("compute.kubenova.io", "servers", "update", False)),
        ("kubenova-gateway", ("compute.kubenova.io", "images", "create", True)),  # createImage
        ("kubenova-gateway", ("compute.kubenova.io", "images", "patch", True)),  # image proxy metadata
        ("kubenova-gateway", ("kubevirt.io", "virtualmachines", "get", False)),
        ("kubenova-gateway", ("", "nodes", "delete", False)),
        ("kubenova-gateway", ("", "namespaces", "create", False)),
        ("kubenova-bootstrap", ("", "namespaces", "create", True)),
        ("kubenova-bootstrap", ("", "namespaces", "delete", False)),
        ("kubenova-bootstrap", ("compute.kubenova.io", "servers", "get", False)),
        ("kubevirt-simulator", ("", "nodes", "create", True)),
        ("kubevirt-simulator", ("kubevirt.io", "virtualmachineinstances", "create", True)),
        ("kubevirt-simulator", ("compute.kubenova.io", "servers", "get", False)),
        ("kubevirt-simulator", ("", "nodes", "delete", False)),
        ("kubevirt-simulator", ("coordination.k8s.io", "leases", "create", False)),
    ],
)
def test_cluster_roles_grant_what_each_component_needs_and_not_more(
    render: Render, role: str, grant: tuple[str, str, str, bool]
) -> None:
    group, resource, verb, allowed = grant
    rules = _rules(render(WITH_SIMULATOR), "ClusterRole", role)
    granted = any(
        group in rule["apiGroups"] and resource in rule["resources"] and verb in rule["verbs"]
        for rule in rules
    )
    assert granted is allowed


def test_each_service_account_is_bound_to_its_own_roles_only(render: Render) -> None:
    objects = render(WITH_SIMULATOR)
    bindings = [o for o in objects if o["kind"] in ("ClusterRoleBinding", "RoleBinding")]
    assert len(bindings) == 10
    for binding in bindings:
        name = binding["metadata"]["name"]
        role_kind = "ClusterRole" if binding["kind"] == "ClusterRoleBinding" else "Role"
        role_ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": name}
        assert binding["roleRef"] == role_ref
        account = name
        for suffix in ("-secrets", "-quotas", "-revocations", "-node-leases"):
            account = account.removesuffix(suffix)
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": account, "namespace": NAMESPACE}]


def test_manifests_directory_is_what_the_docs_say(render: Render) -> None:
    """`kubectl apply -k manifests/` is the documented command: it must be a kustomization root."""
    assert (MANIFESTS / "kustomization.yaml").is_file()
    assert (MANIFESTS / "components" / "kubevirt-simulator" / "kustomization.yaml").is_file()
