"""The clients' own functional compute suites, run unmodified from their installed wheels.

openstacksdk (``openstack/tests/functional/compute/v2``) and python-openstackclient
(``openstackclient/tests/functional/compute/v2``) are written for DevStack. What they assume, and
what this harness gives them, all in a working directory of its own:

* clouds named ``devstack`` (a project member: demo-member in demo), ``devstack-alt`` (alt-member in
  alt), ``devstack-admin`` and ``devstack-system-admin`` (admin) in a ``clouds.yaml`` in the
  current directory, where both the SDK and the ``openstack`` CLI look first (OSC's tests drop
  every ``OS_*`` variable before they run the CLI);
* a flavor and an image: the stack's defaults ``m1.tiny`` and ``cirros`` (``OPENSTACKSDK_FLAVOR``,
  ``OPENSTACKSDK_IMAGE``); OSC looks for an image named like DevStack's ``cirros-*-disk``, so the
  harness adds one, ``cirros-0.6.3-x86_64-disk`` (the same container disk);
* a block-storage v3 endpoint: the SDK's ``BaseComputeTest`` skips every compute test without one.
  kubenova has no Cinder, so the clouds point ``block_storage_endpoint_override`` at a path the
  gateway does not serve (every volume call gets 404) and pin ``block_storage_api_version`` so the
  SDK builds its proxy without discovery; the tests that need volumes are expected failures.

The stack runs with quotas raised (``STACK_ENV``) and a simulated boot of about 7.5 s
(``PHASE_DELAY``): ``openstack server create --wait`` polls every 5 s and prints the progress of a
BUILD server into its ``-f json`` output. kubenova, like Nova, reports progress 0 during a build;
a boot longer than one poll makes a regression there fail the OSC tests every time instead of by
luck. Each suite
runs in child pytests (JUnit XML out, OSC's in four shards at once) with a per-test timeout.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kubenova_localstack.process import ManagedProcess, stop_all
from tests.conformance import gate

FLAVOR = "m1.tiny"
IMAGE = "cirros"
DEVSTACK_IMAGE = "cirros-0.6.3-x86_64-disk"
PER_TEST_TIMEOUT = 240  # seconds; OSC's own server waits poll every 10 s
SUITE_TIMEOUT = 1200  # seconds for a whole suite, from its start (about 5 min here)
PHASE_DELAY = 2.5  # seconds per simulated VMI phase step (three steps per boot)
STACK_ENV = {
    # Tests run four at once and a failed one may leave its servers behind: Nova's default quota
    # (10 instances, 20 cores, 50 GiB) would turn one failure into many.
    "KUBENOVA_API_QUOTAS__INSTANCES": "200",
    "KUBENOVA_API_QUOTAS__CORES": "400",
    "KUBENOVA_API_QUOTAS__RAM": "409600",
    "KUBENOVA_REFERENCE_GRACE_SECONDS": "1",
}


@dataclass(frozen=True)
class Suite:
    name: str
    package: str
    shards: int = 1
    """Child pytests that share the suite's tests (round robin): OSC's tests mostly wait."""

    @property
    def directory(self) -> Path:
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(f"{self.package} is not installed (requirements-dev.txt)")
        return Path(next(iter(spec.submodule_search_locations)))

    @property
    def slug(self) -> str:
        return self.package.split(".")[0]


SUITES = (
    Suite("openstacksdk compute", "openstack.tests.functional.compute.v2"),
    Suite("python-openstackclient compute", "openstackclient.tests.functional.compute.v2", shards=4),
)


@dataclass
class Run:
    """A suite's child pytests, started; :func:`finish_suite` waits for them."""

    suite: Suite
    began: float
    processes: list[ManagedProcess] = field(default_factory=list)
    junits: list[Path] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)

    def kill(self) -> None:
        stop_all(self.processes, grace=5)


@dataclass(frozen=True)
class Result:
    suite: Suite
    verdict: gate.Verdict
    messages: dict[str, str]
    seconds: float
    outputs: list[Path]


def devstack_image_manifest() -> dict[str, Any]:
    return {
        "apiVersion": "compute.kubenova.io/v1alpha1",
        "kind": "Image",
        "metadata": {"name": DEVSTACK_IMAGE.replace("_", "-")},
        "spec": {
            "name": DEVSTACK_IMAGE,
            "containerDisk": {"image": "quay.io/kubevirt/cirros-container-disk-demo:v1.4.0"},
            "diskFormat": "qcow2",
            "containerFormat": "bare",
            "visibility": "public",
            "properties": {"os_distro": "cirros", "os_type": "linux"},
        },
    }


def write_clouds_yaml(directory: Path, gateway_url: str, admin_password: str, user_password: str) -> Path:
    def cloud(user: str | None, project: str | None, password: str) -> dict[str, Any]:
        auth: dict[str, Any] = {
            "auth_url": f"{gateway_url}/identity/v3",
            "username": user,
            "password": password,
            "user_domain_name": "Default",
        }
        if project is None:
            auth["system_scope"] = "all"
        else:
            auth.update(project_name=project, project_domain_name="Default")
        return {
            "auth": auth,
            "region_name": "RegionOne",
            "identity_api_version": 3,
            "block_storage_endpoint_override": f"{gateway_url}/volume/v3",
            "block_storage_api_version": "3",
        }

    clouds = {
        "devstack": cloud("demo-member", "demo", user_password),
        "devstack-alt": cloud("alt-member", "alt", user_password),
        "devstack-admin": cloud("admin", "admin", admin_password),
        "devstack-system-admin": cloud("admin", None, admin_password),
    }
    path = directory / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": clouds}, sort_keys=False))
    return path


def suite_env(directory: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "PYTEST_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        XDG_CONFIG_HOME=str(directory / "config"),
        OPENSTACKSDK_FLAVOR=FLAVOR,
        OPENSTACKSDK_IMAGE=IMAGE,
        OPENSTACKSDK_FUNC_TEST_TIMEOUT="120",
        # openstacksdk's base test class limits each test to OS_TEST_TIMEOUT (5 s by default, meant
        # for its unit tests): on a busy 2-core machine a login alone can take that. The same
        # bound as the pytest-timeout of every test here.
        OS_TEST_TIMEOUT=str(PER_TEST_TIMEOUT),
        # Every test runs the `openstack` CLI several times: compiled modules (kept out of the
        # venv) make each start about 2.5 s faster than the source the venv holds.
        PYTHONPYCACHEPREFIX=str(directory / "pycache"),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _pytest(directory: Path, suite: Suite) -> list[str]:
    ini = directory / "pytest.ini"
    ini.write_text("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    return [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-c",
        str(ini),
        "--rootdir",
        str(suite.directory),
    ]


def collect(suite: Suite, directory: Path) -> list[str]:
    """The suite's test ids (as paths pytest accepts), in the suite's order."""
    argv = [*_pytest(directory, suite), "--collect-only", "-q", str(suite.directory)]
    done = subprocess.run(
        argv,
        cwd=directory,
        env=suite_env(directory),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    ids = [f"{suite.directory}/{line.strip()}" for line in done.stdout.splitlines() if "::" in line]
    if done.returncode != 0 or not ids:
        raise AssertionError(
            f"collecting {suite.name} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return ids


def start_suite(suite: Suite, directory: Path) -> Run:
    """Start ``suite`` in child pytests (cwd ``directory``, which holds the clouds.yaml)."""
    run = Run(suite, time.monotonic())
    targets = [str(suite.directory)] if suite.shards == 1 else collect(suite, directory)
    shards = [targets[i :: suite.shards] for i in range(min(suite.shards, len(targets)))]
    for number, shard in enumerate(shards):
        junit, output = directory / f"{suite.slug}-{number}.xml", directory / f"{suite.slug}-{number}.log"
        argv = [*_pytest(directory, suite), f"--junitxml={junit}", f"--timeout={PER_TEST_TIMEOUT}"]
        argv += ["-q", "-rfE", "--tb=short", "--durations=10", *shard]
        # Own process group and parent-death signal: nothing outlives a killed test run.
        process = ManagedProcess(suite.slug, argv, log_path=output, env=suite_env(directory), cwd=directory)
        process.start()
        run.processes.append(process)
        run.junits.append(junit)
        run.outputs.append(output)
    return run


def finish_suite(run: Run) -> Result:
    """Wait for ``run``'s child pytests (at most SUITE_TIMEOUT from their start); the verdict."""
    suite = run.suite
    deadline = run.began + SUITE_TIMEOUT
    while any(p.running for p in run.processes):
        if time.monotonic() > deadline:
            run.kill()
            raise AssertionError(f"{suite.name} ran over {SUITE_TIMEOUT} s; its output: {run.outputs}")
        time.sleep(0.5)
    outcomes: dict[str, str] = {}
    messages: dict[str, str] = {}
    for process, junit, output in zip(run.processes, run.junits, run.outputs, strict=True):
        if not junit.exists():
            raise AssertionError(
                f"{suite.name} wrote no JUnit XML (exit {process.poll()}):\n{output.read_text()}"
            )
        outcomes.update(gate.read_junit(junit, suite.package))
        messages.update(gate.failure_messages(junit, suite.package))
    result = gate.verdict(suite.name, suite.package, outcomes, gate.read_expected())
    return Result(suite, result, messages, time.monotonic() - run.began, run.outputs)
