"""The stack's DevStack-style defaults: m1.* flavors and a ``cirros`` image from the first start.

Created if absent, never overwritten, skipped on request; the README's first server boots with
nothing applied by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubenova.resources import Flavor, Image
from kubenova_localstack import defaults
from kubenova_localstack.binaries import ensure_binaries, repo_root
from kubenova_localstack.controlplane import ControlPlane
from kubenova_localstack.stack import FIRST_SERVER
from tests.support.localstack import LocalStack
from tests.support.wait import wait_for

DEFAULTS = repo_root() / "manifests" / "defaults"
SAMPLES = repo_root() / "manifests" / "samples"
OPENSTACK = Path(sys.executable).parent / "openstack"
DEVSTACK_FLAVORS = {  # name: (id, vcpus, ram MiB, disk GiB), as DevStack's lib/nova creates them
    "m1.tiny": ("1", 1, 512, 1),
    "m1.small": ("2", 1, 2048, 20),
    "m1.medium": ("3", 2, 4096, 40),
    "m1.large": ("4", 4, 8192, 80),
    "m1.xlarge": ("5", 8, 16384, 160),
}
EVERY_DEFAULT = [*(f"flavor/{name}" for name in DEVSTACK_FLAVORS), "image/cirros"]
NO_APPS = ("--without", "kubevirt-simulator,operator,gateway")


def _documents(directory: Path) -> list[dict[str, Any]]:
    return [d for p in sorted(directory.glob("*.yaml")) for d in yaml.safe_load_all(p.read_text()) if d]


def test_the_defaults_are_devstacks_flavors_and_a_cirros_image() -> None:
    docs = _documents(DEFAULTS)
    flavors = [Flavor.model_validate(d) for d in docs if d["kind"] == "Flavor"]
    images = [Image.model_validate(d) for d in docs if d["kind"] == "Image"]
    assert {
        f.metadata.name: (f.flavor_id, f.spec.vcpus, f.spec.ram, f.spec.disk) for f in flavors
    } == DEVSTACK_FLAVORS
    assert all(f.display_name == f.metadata.name and f.spec.is_public for f in flavors)
    [image] = images
    assert (image.metadata.name, image.spec.name, image.spec.visibility) == ("cirros", "cirros", "public")
    assert image.spec.container_disk.image.startswith("quay.io/kubevirt/cirros-container-disk-demo")
    assert defaults.default_objects(DEFAULTS) == EVERY_DEFAULT


def test_the_samples_define_the_same_objects_the_same_way() -> None:
    """``kubectl apply -f manifests/samples/`` after a start changes none of the defaults' specs."""
    ours = {(d["kind"], d["metadata"]["name"]): d["spec"] for d in _documents(DEFAULTS)}
    shared = [d for d in _documents(SAMPLES) if (d["kind"], d["metadata"]["name"]) in ours]
    assert len(shared) == 4  # m1.tiny, m1.small, m1.medium, cirros
    for doc in shared:
        assert doc["spec"] == ours[doc["kind"], doc["metadata"]["name"]], doc["metadata"]["name"]


def test_gateway_and_operator_get_one_network_name() -> None:
    assert defaults.network_env({}) == dict.fromkeys(defaults.NETWORK_ENV, "private")
    assert defaults.network_env({"KUBENOVA_NETWORK_LABEL": "pods"}) == dict.fromkeys(
        defaults.NETWORK_ENV, "pods"
    )
    assert defaults.skipped_by_environment({"KUBENOVA_NO_DEFAULTS": "1"})
    assert not defaults.skipped_by_environment({"KUBENOVA_NO_DEFAULTS": "0"})
    assert not defaults.skipped_by_environment({})


@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    """A control plane of this module's own: the stacks below run on it as an existing cluster."""
    with ControlPlane(tmp_path_factory.mktemp("defaults") / "state", ensure_binaries()) as running:
        yield running


def _kubectl(plane: ControlPlane, *args: str) -> str:
    argv = [str(ensure_binaries() / "kubectl"), f"--kubeconfig={plane.kubeconfig}", *args]
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=60).stdout


def _present(plane: ControlPlane) -> dict[str, dict[str, Any]]:
    items = json.loads(_kubectl(plane, "get", "flavors,images", "-o", "json"))["items"]
    return {f"{i['kind'].lower()}/{i['metadata']['name']}": i for i in items}


def _run_stack(plane: ControlPlane, directory: Path, *args: str, **env: str) -> str:
    """One start and stop of the stack on ``plane``; returns what it printed."""
    stack = LocalStack(
        directory, (*NO_APPS, *args), {"KUBENOVA_EXISTING_CLUSTER": "1", "KUBECONFIG": str(plane.kubeconfig)}
    )
    stack.env = {**stack.env, **env}
    try:
        out = stack.start(timeout=180)
    finally:
        assert stack.stop() == 0, stack.output()
    return out


@pytest.mark.cluster
def test_defaults_are_created_once_skipped_on_request_and_never_overwritten(
    plane: ControlPlane, tmp_path: Path
) -> None:
    out = _run_stack(plane, tmp_path / "skip-env", KUBENOVA_NO_DEFAULTS="1")
    assert "defaults: skipped" in out
    out = _run_stack(plane, tmp_path / "skip-flag", "--no-defaults")
    assert "defaults: skipped" in out
    assert _present(plane) == {}

    out = _run_stack(plane, tmp_path / "first")
    assert f"defaults: created {', '.join(EVERY_DEFAULT)}\n" in out
    assert sorted(_present(plane)) == sorted(EVERY_DEFAULT)

    # An administrator changes one default and deletes another; the next start keeps the change
    # and recreates only what is missing.
    _kubectl(plane, "patch", "flavor", "m1.tiny", "--type=merge", "-p", '{"spec":{"ram":256}}')
    _kubectl(plane, "delete", "flavor", "m1.xlarge")
    before = _present(plane)
    out = _run_stack(plane, tmp_path / "second")
    kept = ", ".join(o for o in EVERY_DEFAULT if o != "flavor/m1.xlarge")
    assert f"defaults: created flavor/m1.xlarge; kept as they were {kept}\n" in out
    after = _present(plane)
    assert sorted(after) == sorted(EVERY_DEFAULT)
    assert after["flavor/m1.tiny"]["spec"]["ram"] == 256
    for name in before:
        assert after[name]["metadata"]["resourceVersion"] == before[name]["metadata"]["resourceVersion"]


@pytest.mark.cluster
def test_the_readme_first_server_boots_on_a_fresh_stack(tmp_path: Path) -> None:
    """``make run``, then the README's ``openstack server create --flavor m1.tiny --image cirros
    --wait vm1`` with the unmodified CLI and the clouds.yaml the stack wrote: ACTIVE, VMI Running."""
    stack = LocalStack(tmp_path)
    try:
        banner = stack.start()
        assert f"  {FIRST_SERVER}\n" in banner
        stack.wait_gateway()
        env = {k: v for k, v in stack.child_env().items() if not k.startswith("KUBENOVA_")}
        env["OS_CLOUD"] = "kubenova"
        assert (stack.config_home / "openstack" / "clouds.yaml").is_file()
        argv = [str(OPENSTACK), *FIRST_SERVER.split()[1:], "-f", "json"]
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, f"{done.stderr}\n{stack.output()}"
        server = json.loads(done.stdout[done.stdout.index("{") :])
        assert (server["name"], server["status"]) == ("vm1", "ACTIVE")
        flavor = server["flavor"]  # the embedded flavor (microversion >= 2.47)
        assert (flavor["name"], flavor["vcpus"], flavor["ram"], flavor["disk"]) == ("m1.tiny", 1, 512, 1)
        assert "private" in server["addresses"]

        def vmi_running() -> bool:
            argv = stack.kubectl_argv("get", "vmi", "-A", "-o", "json")
            items = json.loads(subprocess.run(argv, check=True, capture_output=True, text=True).stdout)
            return [(i["status"].get("phase"), i["metadata"]["namespace"]) for i in items["items"]] == [
                ("Running", "admin")
            ]

        wait_for(vmi_running, timeout=60, message="vm1's VMI Running")
    finally:
        assert stack.stop() == 0, stack.output()
