"""``make run``: the control plane plus kubenova's own processes, in the foreground.

Starts (or, with ``KUBENOVA_EXISTING_CLUSTER=1``, reuses) a cluster, installs the CRDs, then runs the
KubeVirt simulator, the operator and the Nova API gateway as child processes with ``KUBECONFIG`` set.
A component whose package has no ``__main__`` yet is skipped with a note, so the stack is usable while
the project grows. Ctrl-C or SIGTERM stops everything; a child that dies is reported with its log tail.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from kubenova_localstack import defaults, openstack_config
from kubenova_localstack.admission import admission_dir, apply_admission
from kubenova_localstack.binaries import ensure_binaries
from kubenova_localstack.controlplane import REGISTRY_NAME, ControlPlane, ControlPlaneError
from kubenova_localstack.crds import CRDError, apply_crds
from kubenova_localstack.ports import is_free
from kubenova_localstack.process import (
    ManagedProcess,
    Tee,
    kill_recorded,
    stop_all,
    stop_signals_as_interrupt,
    write_registry,
)

DEFAULT_GATEWAY_PORT = 8774
FIRST_SERVER = "openstack server create --flavor m1.tiny --image cirros --wait vm1"


@dataclass(frozen=True)
class App:
    """One of kubenova's own processes, run as ``python -m <module> <args>``."""

    name: str
    module: str
    args: tuple[str, ...] = ()


def default_apps(gateway_port: int, phase_delay: float | None = None) -> list[App]:
    # --subresource-api: virt-api's pause/unpause/softreboot, which the operator calls (the stack
    # runs on one host, so the API server reaches the simulator's loopback listener).
    simulator = ("--nodes", "3", "--subresource-api") + (
        () if phase_delay is None else ("--phase-delay", str(phase_delay))
    )
    return [
        App("kubevirt-simulator", "kubevirt_simulator", simulator),
        App("operator", "kubenova"),
        App("gateway", "kubenova_api", ("--host", "127.0.0.1", "--port", str(gateway_port))),
    ]


def has_main(package: str) -> bool:
    """True if ``python -m package`` would run something; finds the package without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return False
    if spec is None or spec.submodule_search_locations is None:
        return False
    return any((Path(loc) / "__main__.py").is_file() for loc in spec.submodule_search_locations)


def existing_cluster_requested() -> bool:
    return os.environ.get("KUBENOVA_EXISTING_CLUSTER", "") not in ("", "0", "false")


class StackBusyError(RuntimeError):
    """Another ``make run`` already uses this state directory."""


@contextlib.contextmanager
def exclusive_state(state_dir: Path) -> Iterator[None]:
    """One stack per state directory: several engineers may share a working tree."""
    state_dir.mkdir(parents=True, exist_ok=True)
    lock_path = state_dir / "run.lock"
    with lock_path.open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            raise StackBusyError(
                f"another kubenova stack (pid {holder}) is running with state in {state_dir}; "
                "stop it or pass --state-dir"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            yield
        finally:
            lock.truncate(0)


@dataclass
class Stack:
    """The running stack; :meth:`run` blocks until Ctrl-C/SIGTERM (or a control-plane failure)."""

    root: Path
    state_dir: Path
    apps: Sequence[App]
    out: TextIO = field(default_factory=lambda: sys.stdout)
    echo: bool = True
    with_defaults: bool = True
    """Create manifests/defaults/ (flavors, image) if absent; ``--no-defaults`` turns it off."""
    _cluster: ControlPlane | None = None
    _children: list[ManagedProcess] = field(default_factory=list)
    _print_lock: threading.Lock = field(default_factory=threading.Lock)

    def say(self, message: str) -> None:
        with self._print_lock:
            print(message, file=self.out, flush=True)

    def run(self) -> int:
        with stop_signals_as_interrupt(), exclusive_state(self.state_dir):
            try:
                bin_dir = ensure_binaries(self.root)
                kubeconfig = self._cluster_kubeconfig(bin_dir)
                env = self._child_env(kubeconfig, bin_dir)
                names = apply_crds(bin_dir / "kubectl", env, self.root / "crds")
                self.say(f"CRDs installed: {', '.join(names) if names else 'none (crds/ is empty)'}")
                policies = apply_admission(bin_dir / "kubectl", env, admission_dir(self.root))
                self.say(f"Admission policies installed: {', '.join(policies) or 'none'}")
                self._create_defaults(bin_dir / "kubectl", env)
                skipped = self._start_apps(env)
                clouds_yaml = self._configure_openstack(skipped)
                self._banner(kubeconfig, bin_dir, skipped, clouds_yaml)
                return self._supervise()
            except KeyboardInterrupt:
                self.say("\nstopping kubenova stack ...")
                return 0
            except ControlPlaneError as exc:
                self.say(f"control plane failed: {exc}")
                return 1
            except CRDError as exc:
                self.say(f"installing the CRDs failed: {exc}")
                return 1
            except defaults.DefaultsError as exc:
                self.say(f"creating the default flavors and image failed: {exc}")
                return 1
            finally:
                self._stop()

    def _cluster_kubeconfig(self, bin_dir: Path) -> Path:
        if existing_cluster_requested():
            value = os.environ.get("KUBECONFIG", "")
            if not value:
                raise SystemExit("KUBENOVA_EXISTING_CLUSTER=1 needs KUBECONFIG pointing at the cluster")
            self.say(f"using the existing cluster from KUBECONFIG={value}")
            for leftover in kill_recorded(self.state_dir / REGISTRY_NAME):
                self.say(f"killed leftover {leftover} from an earlier local control plane")
            return Path(value.split(os.pathsep)[0]).resolve()
        self._cluster = ControlPlane(self.state_dir, bin_dir, log=lambda m: self.say(f"[controlplane] {m}"))
        self.say(f"starting the control plane (state in {self.state_dir}) ...")
        self._cluster.start()
        return self._cluster.kubeconfig

    @staticmethod
    def _child_env(kubeconfig: Path, bin_dir: Path) -> dict[str, str]:
        env = dict(os.environ)
        env["KUBECONFIG"] = str(kubeconfig)
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONUNBUFFERED"] = "1"
        env.update(defaults.network_env(env))
        return env

    def _create_defaults(self, kubectl: Path, env: dict[str, str]) -> None:
        if not self.with_defaults:
            self.say("defaults: skipped (--no-defaults / KUBENOVA_NO_DEFAULTS)")
            return
        result = defaults.create_defaults(kubectl, env, self.root / "manifests" / "defaults")
        self.say(f"defaults: {result.summary()}")

    def _start_apps(self, env: dict[str, str]) -> dict[str, str]:
        """Start every app that exists; return {name: why it was skipped} for the others."""
        skipped: dict[str, str] = {}
        registry = self.state_dir / "apps.json"
        for leftover in kill_recorded(registry):
            self.say(f"killed leftover {leftover} from an earlier run")
        for app in self.apps:
            if not has_main(app.module):
                skipped[app.name] = f"{app.module} has no __main__ module yet"
                continue
            if app.name == "gateway":
                port = int(app.args[app.args.index("--port") + 1])
                if not is_free(port):
                    skipped[app.name] = f"port {port} is in use (pass --gateway-port)"
                    continue
                if not self._bootstrap_identity(env):
                    skipped[app.name] = "the identity bootstrap failed (see above)"
                    continue
            child = ManagedProcess(
                app.name,
                [sys.executable, "-m", app.module, *app.args],
                log_path=self.state_dir / "logs" / f"{app.name}.log",
                env=env,
                cwd=self.root,
                tee=self._tee(app.name) if self.echo else None,
            )
            child.start()
            self._children.append(child)
            write_registry(registry, self._children)
        return skipped

    def _bootstrap_identity(self, env: dict[str, str]) -> bool:
        """Identity first: the gateway reads (and at its start writes into) what bootstrap creates."""
        try:
            self._passwords()  # the file the bootstrap reads, written first
            password_file = self.state_dir / openstack_config.PASSWORD_FILE
            openstack_config.bootstrap_identity(env, password_file, cwd=self.root)
        except RuntimeError as exc:
            self.say(f"!! {exc}")
            return False
        return True

    def _passwords(self) -> openstack_config.Passwords:
        return openstack_config.Passwords.load_or_create(self.state_dir)

    def _configure_openstack(self, skipped: dict[str, str]) -> Path | None:
        """Write clouds.yaml once the gateway runs with identity bootstrapped; None otherwise."""
        gateway = next((a for a in self.apps if a.name == "gateway"), None)
        if gateway is None or gateway.name in skipped:
            return None
        port = gateway.args[gateway.args.index("--port") + 1]
        return openstack_config.write_client_config(self.state_dir, port, self._passwords())

    def _tee(self, name: str) -> Tee:
        def echo(line: str) -> None:
            self.say(f"[{name}] {line}")

        return echo

    def _banner(
        self, kubeconfig: Path, bin_dir: Path, skipped: dict[str, str], clouds_yaml: Path | None
    ) -> None:
        lines = ["", "kubenova local stack is up."]
        if self._cluster is not None:
            lines.append(f"  control plane       {self._cluster.server}  (etcd, kube-apiserver, KCM)")
        for app in self.apps:
            running = next((c for c in self._children if c.name == app.name), None)
            if running is not None:
                what = f"running, pid {running.pid}"
                if app.name == "gateway":
                    port = app.args[app.args.index("--port") + 1]
                    what += f", Nova API at http://127.0.0.1:{port}"
            else:
                what = f"not started: {skipped.get(app.name, 'unknown')}"
            lines.append(f"  {app.name:<19} {what}")
        lines += [
            f"  logs                {self.state_dir / 'logs'}",
            "",
            "Use it from another shell:",
            f"  export KUBECONFIG={kubeconfig}",
            f"  export PATH={bin_dir}:$PATH    # the project's own kubectl",
            "  kubectl get flavors,servers -A",
            "",
        ]
        if clouds_yaml is not None:
            venv_bin = Path(sys.executable).parent
            lines += [
                f"OpenStack clients ({clouds_yaml}: 'kubenova' = admin, 'kubenova-demo' = a demo member):",
                f"  export PATH={venv_bin}:$PATH    # openstack, nova",
                "  export OS_CLOUD=kubenova",
                "  openstack server list",
                *([f"  {FIRST_SERVER}"] if self.with_defaults else []),
                f"  (. {self.state_dir / 'openrc'}; nova list)    # legacy CLIs read OS_* variables",
                "",
            ]
        lines += [
            "Ctrl-C stops everything.",
        ]
        self.say("\n".join(lines))

    def _supervise(self) -> int:
        reported: set[str] = set()
        while True:
            if self._cluster is not None:
                self._cluster.check()
            for child in self._children:
                code = child.poll()
                if code is not None and child.name not in reported:
                    reported.add(child.name)
                    self.say(
                        f"!! {child.name} exited with code {code} (log {child.log_path}); last lines:\n"
                        f"{child.log_tail(20)}\n!! the rest of the stack keeps running; Ctrl-C to stop."
                    )
            time.sleep(0.5)

    def _stop(self) -> None:
        stop_all(self._children, grace=10)
        with contextlib.suppress(OSError):
            (self.state_dir / "apps.json").unlink()
        if self._cluster is not None:
            self._cluster.stop()
        self.say("kubenova stack stopped.")
