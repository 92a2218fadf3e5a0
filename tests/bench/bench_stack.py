"""The bench's own stack: a fresh control plane with the audit log on, and kubenova as processes.

Like ``make run`` (CRDs, KubeVirt simulator, operator, gateway, each a ``python -m`` child), with two
differences that make requests countable: kube-apiserver writes an audit log, and every component
gets its own client certificate (CN ``kubenova-operator``, ``kubenova-gateway``,
``kubevirt-simulator``; group ``system:masters``) through its own kubeconfig in ``KUBECONFIG``. The
bench driver uses a fourth identity (``kubenova-bench``), so its own requests can be left out.
Components run with their production defaults (no test speed-ups), except the simulator: its phase
delay is 0 by default (control-plane figures, not simulated boot time) and its Nodes are big enough
for thousands of small servers (``StackOptions``).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kubenova_localstack.binaries import ensure_binaries, repo_root
from kubenova_localstack.controlplane import ControlPlane
from kubenova_localstack.crds import apply_crds
from kubenova_localstack.ports import free_port
from kubenova_localstack.process import ManagedProcess, stop_all, stop_signals_as_interrupt
from tests.bench.audit_events import BENCH_USER, GATEWAY_USER, OPERATOR_USER, SIMULATOR_USER, AuditLog

GROUPS = ("system:masters",)
ADMIN_PASSWORD = "bench-admin-password"
NODES = 3
START_TIMEOUT = 120.0
SIMULATOR_READY = "kubevirt-simulator: ready"

Log = Callable[[str], None]


@dataclass(frozen=True)
class StackOptions:
    """The simulator's settings: seconds per VMI phase step, and its Nodes' number and shape."""

    phase_delay: float = 0.0
    nodes: int = NODES
    node_cpu: str = "2000"
    node_memory: str = "4Ti"
    node_disk: str = "20Ti"
    node_pods: str = "4000"
    max_instances_per_host: int = 4000
    """The operator's ``KUBENOVA_MAX_INSTANCES_PER_HOST`` (Nova's NumInstancesFilter; default 50)."""

    max_concurrent_builds: int | None = None
    """The operator's ``KUBENOVA_MAX_CONCURRENT_BUILDS`` per host (None: its default, Nova's 10)."""

    simulator_workers: int = 10
    """The simulator's reconcile threads (its default is 2): virt-controller alone runs 10 for VMIs
    (``defaultVMIControllerThreads``), and with 2 the simulator, not the control plane, set the pace
    of a burst (each thread mostly waits on the API server)."""

    def simulator_args(self) -> list[str]:
        return [
            "--workers", str(self.simulator_workers),
            "--nodes", str(self.nodes), "--phase-delay", str(self.phase_delay),
            "--node-cpu", self.node_cpu, "--node-memory", self.node_memory,
            "--node-disk", self.node_disk, "--node-pods", self.node_pods,
        ]  # fmt: skip


@dataclass
class BenchStack:
    """What the driver needs: the gateway's URL, the bench identity, the audit log."""

    plane: ControlPlane
    kubeconfigs: dict[str, Path]
    gateway_url: str
    admin_password: str
    audit: AuditLog
    children: list[ManagedProcess]

    @property
    def bench_kubeconfig(self) -> Path:
        return self.kubeconfigs[BENCH_USER]

    def pids(self) -> dict[str, int]:
        """Process ids of kubenova's components and the control plane's, by name."""
        return {p.name: p.pid for p in [*self.children, *self.plane.processes] if p.poll() is None}

    def check(self) -> None:
        """Raise with the log tail if the control plane or a component has died."""
        self.plane.check()
        for child in self.children:
            code = child.poll()
            if code is not None:
                raise RuntimeError(f"{child.name} exited with code {code}:\n{child.log_tail(40)}")


def _env(kubeconfig: Path, bin_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBENOVA_", "OS_"))}
    env["KUBECONFIG"] = str(kubeconfig)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _wait(ready: Callable[[], bool], what: str, stack_check: Callable[[], None]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        stack_check()
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {START_TIMEOUT:.0f}s")
        time.sleep(0.2)


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _nodes_ready(kubectl: Path, env: dict[str, str], nodes: int) -> bool:
    jsonpath = '{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}'
    done = subprocess.run(
        [str(kubectl), "get", "nodes", "-o", f"jsonpath={jsonpath}"],
        env=env, capture_output=True, text=True, check=False, timeout=30,
    )  # fmt: skip
    return done.returncode == 0 and done.stdout.split().count("True") >= nodes


@contextlib.contextmanager
def bench_stack(state_dir: Path, *, log: Log, options: StackOptions = StackOptions()) -> Iterator[BenchStack]:
    """Start everything in ``state_dir`` (wiped first); stop everything when the block ends."""
    root = repo_root()
    bin_dir = ensure_binaries(root)
    children: list[ManagedProcess] = []
    logs = state_dir / "logs"
    with stop_signals_as_interrupt():
        plane = ControlPlane(state_dir / "controlplane", bin_dir, audit_log=True, log=log)
        plane.start()
        try:
            assert plane.audit_log is not None
            users = (BENCH_USER, OPERATOR_USER, GATEWAY_USER, SIMULATOR_USER)
            kubeconfigs = {user: plane.issue_client(user, GROUPS).kubeconfig for user in users}
            env = {user: _env(path, bin_dir) for user, path in kubeconfigs.items()}
            port = free_port()
            stack = BenchStack(
                plane,
                kubeconfigs,
                f"http://127.0.0.1:{port}",
                ADMIN_PASSWORD,
                AuditLog(plane.audit_log),
                children,
            )

            def start(name: str, user: str, *args: str) -> ManagedProcess:
                argv = [sys.executable, "-m", *args]
                child = ManagedProcess(name, argv, log_path=logs / f"{name}.log", env=env[user], cwd=root)
                child.start()
                children.append(child)
                return child

            apply_crds(bin_dir / "kubectl", env[BENCH_USER], root / "crds")
            log("CRDs installed")
            simulator = start(
                "kubevirt-simulator", SIMULATOR_USER, "kubevirt_simulator", *options.simulator_args()
            )
            _wait(lambda: SIMULATOR_READY in simulator.log_tail(10**6), "kubevirt-simulator", stack.check)
            _wait(
                lambda: _nodes_ready(bin_dir / "kubectl", env[BENCH_USER], options.nodes),
                "simulator nodes",
                stack.check,
            )
            log("kubevirt-simulator ready")
            live = free_port()
            env[OPERATOR_USER]["KUBENOVA_MAX_INSTANCES_PER_HOST"] = str(options.max_instances_per_host)
            if options.max_concurrent_builds is not None:
                env[OPERATOR_USER]["KUBENOVA_MAX_CONCURRENT_BUILDS"] = str(options.max_concurrent_builds)
            start("operator", OPERATOR_USER, "kubenova", "--liveness", f"http://127.0.0.1:{live}/healthz")
            _wait(lambda: _http_ok(f"http://127.0.0.1:{live}/healthz"), "operator", stack.check)
            log("operator live")
            bootstrap = [
                sys.executable,
                "-m",
                "kubenova_api",
                "bootstrap",
                "--admin-password",
                ADMIN_PASSWORD,
            ]
            bootstrap += ["--bcrypt-rounds", "4"]
            done = subprocess.run(
                bootstrap,
                env=env[GATEWAY_USER],
                cwd=root,
                capture_output=True,
                text=True,
                check=False,
                timeout=180,
            )
            if done.returncode != 0:
                raise RuntimeError(f"identity bootstrap failed:\n{done.stdout}{done.stderr}")
            start("gateway", GATEWAY_USER, "kubenova_api", "--host", "127.0.0.1", "--port", str(port))
            _wait(lambda: _http_ok(f"{stack.gateway_url}/compute/"), "gateway", stack.check)
            log(f"gateway serving at {stack.gateway_url}")
            yield stack
        finally:
            stop_all(children, grace=10)
            plane.stop()
