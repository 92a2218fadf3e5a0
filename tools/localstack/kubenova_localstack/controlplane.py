# Over 300 lines: three processes' flags, readiness and teardown, which must be read together.
"""A real local control plane: etcd, kube-apiserver and kube-controller-manager on 127.0.0.1.

Why these three and these flags: kube-apiserver is the thing under test for everything kubenova does
(admission, CRD validation, RBAC, watches are all real); etcd is its storage, run with
``--unsafe-no-fsync`` because durability is worthless for throw-away state and fsync is slow on
shared CI disks; kube-controller-manager runs only the garbage collector and the namespace
controller, without which ownerReference cascades never happen and namespaces never finish
terminating, and the PersistentVolume binder and protection controllers (volumes bind and go as on
a real cluster; the simulator plays the storage provisioner). No scheduler and no kubelet: KubeVirt
is simulated by the project itself.

Every start is fresh: the state directory is wiped (after killing whatever a previous run that died
hard left behind) and gets new certificates, new ports and an empty etcd.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kubenova_localstack.audit import apiserver_audit_args, audit_log_path
from kubenova_localstack.kubeconfig import render_kubeconfig, write_kubeconfig
from kubenova_localstack.pki import ADMIN_USER, CertAndKey, PKIFiles, issue_client_cert, write_cluster_pki
from kubenova_localstack.ports import free_port
from kubenova_localstack.process import ManagedProcess, kill_recorded, stop_all, write_registry

CONTROLLERS = (
    "garbage-collector-controller",
    "namespace-controller",
    # Volumes, as real clusters run them: the PV controller binds claims to the PVs an (external,
    # here simulated) provisioner creates, and the protection controllers lift the
    # pvc-/pv-protection finalizers the apiserver's admission adds once nothing uses a claim.
    "persistentvolume-binder-controller",
    "persistentvolume-protection-controller",
    "persistentvolumeclaim-protection-controller",
    # Type-checks ValidatingAdmissionPolicies against the CRDs' schemas and reports it in their
    # status (kubenova's Server rules on the kubectl path, manifests/admission/).
    "validatingadmissionpolicy-status-controller",
)
SERVICE_CLUSTER_IP_RANGE = "10.0.0.0/24"
SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"
# kube-apiserver on 2 busy cores can take well over a minute before /readyz says ok.
DEFAULT_START_TIMEOUT = float(os.environ.get("KUBENOVA_START_TIMEOUT", "90"))
PORT_ATTEMPTS = 4
# What is running, so the next start can kill what a run that died hard (SIGKILL) left behind.
REGISTRY_NAME = "processes.json"

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class StaticToken:
    """A bearer token kube-apiserver accepts via ``--token-auth-file``."""

    token: str
    user: str
    uid: str
    groups: tuple[str, ...] = ()

    def csv_line(self) -> str:
        groups = ",".join(self.groups)
        return f'{self.token},{self.user},{self.uid},"{groups}"'


CONTROLLER_MANAGER_QPS = 100
"""kube-controller-manager's client rate limit (its default is 20; large clusters raise it too)."""


class ControlPlaneError(RuntimeError):
    """A component failed to start or died; the message carries the tail of its log."""


class _PortConflictError(ControlPlaneError):
    """Someone took a port between our probe and the component's bind: retry with fresh ports."""


@dataclass(frozen=True)
class ClientIdentity:
    """Credentials for one user, as files: a kubeconfig plus the raw certificate and key."""

    user: str
    groups: tuple[str, ...]
    kubeconfig: Path
    credentials: CertAndKey


class ControlPlane:
    """Start/stop a control plane whose state (PKI, etcd data, logs, kubeconfig) is in ``state_dir``.

    Use as a context manager, or call :meth:`start` and :meth:`stop` (idempotent; also registered
    with ``atexit`` as a last resort). A host that wants a graceful stop on SIGTERM wraps its work in
    ``process.stop_signals_as_interrupt()``; if the host dies without cleaning up (unhandled SIGTERM,
    SIGKILL), the parent-death signal set at spawn kills the components anyway.

    ``audit_log=True`` turns on the apiserver's audit log (``kubenova_localstack.audit``); its path is
    then ``self.audit_log`` (else None).
    """

    def __init__(
        self,
        state_dir: Path,
        bin_dir: Path,
        *,
        tokens: Sequence[StaticToken] = (),
        start_timeout: float = DEFAULT_START_TIMEOUT,
        controllers: Sequence[str] = CONTROLLERS,
        audit_log: bool = False,
        log: Log = _quiet,
    ) -> None:
        self.state_dir = state_dir.resolve()
        self.bin_dir = bin_dir
        self.tokens = tuple(tokens)
        self.start_timeout = start_timeout
        self.controllers = tuple(controllers)
        self.audit_log = audit_log_path(self.state_dir) if audit_log else None
        self._log = log
        self.pki = PKIFiles(self.state_dir / "pki")
        self.logs_dir = self.state_dir / "logs"
        self.kubeconfig = self.state_dir / "kubeconfig"
        self._registry = self.state_dir / REGISTRY_NAME
        self.etcd: ManagedProcess | None = None
        self.apiserver: ManagedProcess | None = None
        self.controller_manager: ManagedProcess | None = None
        self.apiserver_port = 0
        self.etcd_port = 0

    # ----- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> ControlPlane:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def server(self) -> str:
        """The apiserver URL, e.g. ``https://127.0.0.1:23456``."""
        return f"https://127.0.0.1:{self.apiserver_port}"

    @property
    def processes(self) -> list[ManagedProcess]:
        return [p for p in (self.etcd, self.apiserver, self.controller_manager) if p is not None]

    def start(self) -> None:
        """Start all components and wait until the apiserver serves requests."""
        atexit.register(self.stop)
        try:
            self._prepare_state()
            self._start_etcd()
            self._start_apiserver()
            self._write_admin_kubeconfig()
            self._start_controller_manager()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop everything (apiserver and controller manager first, then etcd); leave no process."""
        atexit.unregister(self.stop)
        front = [p for p in (self.controller_manager, self.apiserver) if p is not None]
        stop_all(front, grace=10)
        if self.etcd is not None:
            stop_all([self.etcd], grace=10)
        with contextlib.suppress(OSError):
            self._registry.unlink()

    def check(self) -> None:
        """Raise :class:`ControlPlaneError` if a component has died since it started."""
        for process in self.processes:
            code = process.poll()
            if code is not None:
                raise ControlPlaneError(
                    f"{process.name} exited with code {code}; log {process.log_path}:\n{process.log_tail()}"
                )

    # ----- users -----------------------------------------------------------------------------

    def issue_client(self, user: str, groups: Sequence[str] = ()) -> ClientIdentity:
        """Credentials for another user (e.g. to test RBAC), written next to the admin kubeconfig."""
        credentials = issue_client_cert(self.pki, user, groups)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in user)
        path = self.state_dir / "users" / f"{safe}.kubeconfig"
        content = render_kubeconfig(
            server=self.server,
            ca_pem=self.pki.serving_ca.read_bytes(),
            user=user,
            cert_pem=credentials.cert_pem,
            key_pem=credentials.key_pem,
        )
        write_kubeconfig(path, content)
        return ClientIdentity(user, tuple(groups), path, credentials)

    # ----- internals -------------------------------------------------------------------------

    def _prepare_state(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        for leftover in kill_recorded(self._registry):
            self._log(f"killed leftover {leftover} from an earlier run")
        for name in ("pki", "etcd", "logs", "users", "audit", "kubeconfig", "tokens.csv"):
            path = self.state_dir / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        self.logs_dir.mkdir()
        write_cluster_pki(self.pki.directory)
        if self.tokens:
            tokens = self.state_dir / "tokens.csv"
            tokens.touch(mode=0o600)
            tokens.write_text("".join(t.csv_line() + "\n" for t in self.tokens))

    def _spawn(self, name: str, argv: list[str]) -> ManagedProcess:
        log_path = self.logs_dir / f"{name}.log"
        process = ManagedProcess(name, argv, log_path=log_path, cwd=self.state_dir)
        process.start()
        write_registry(self._registry, [*self.processes, process])
        return process

    def _retry_on_port_conflict(self, start_one: Callable[[], None]) -> None:
        for attempt in range(1, PORT_ATTEMPTS + 1):
            try:
                start_one()
            except _PortConflictError as exc:
                if attempt == PORT_ATTEMPTS:
                    raise ControlPlaneError(f"gave up after {attempt} port conflicts: {exc}") from exc
                self._log(f"port conflict, retrying with new ports: {exc}")
            else:
                return

    def _start_etcd(self) -> None:
        def start_one() -> None:
            if self.etcd is not None:
                self.etcd.stop()
                self.etcd = None
            client, peer = free_port(), free_port()
            data_dir = self.state_dir / "etcd"
            shutil.rmtree(data_dir, ignore_errors=True)
            self.etcd_port = client
            self.etcd = self._spawn(
                "etcd",
                [
                    str(self.bin_dir / "etcd"),
                    "--name=default",
                    f"--data-dir={data_dir}",
                    f"--listen-client-urls=http://127.0.0.1:{client}",
                    f"--advertise-client-urls=http://127.0.0.1:{client}",
                    f"--listen-peer-urls=http://127.0.0.1:{peer}",
                    f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
                    f"--initial-cluster=default=http://127.0.0.1:{peer}",
                    "--unsafe-no-fsync=true",
                    "--auto-compaction-retention=1",
                ],
            )
            self._wait(self.etcd, self._etcd_healthy, timeout=min(60.0, self.start_timeout))

        self._retry_on_port_conflict(start_one)
        self._log(f"etcd ready on 127.0.0.1:{self.etcd_port}")

    def _start_apiserver(self) -> None:
        def start_one() -> None:
            if self.apiserver is not None:
                self.apiserver.stop()
                self.apiserver = None
            self.apiserver_port = free_port()
            argv = [
                str(self.bin_dir / "kube-apiserver"),
                f"--etcd-servers=http://127.0.0.1:{self.etcd_port}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={self.apiserver_port}",
                f"--cert-dir={self.pki.directory}",
                f"--tls-cert-file={self.pki.serving_cert}",
                f"--tls-private-key-file={self.pki.serving_key}",
                f"--client-ca-file={self.pki.client_ca}",
                "--authorization-mode=RBAC",
                f"--service-cluster-ip-range={SERVICE_CLUSTER_IP_RANGE}",
                f"--service-account-issuer={SERVICE_ACCOUNT_ISSUER}",
                f"--service-account-key-file={self.pki.service_account_key}",
                f"--service-account-signing-key-file={self.pki.service_account_key}",
                "--disable-admission-plugins=ServiceAccount",
                "--allow-privileged=true",
                "--endpoint-reconciler-type=none",
                # pods/log goes to the node's kubelet: dial its InternalIP (the KubeVirt
                # simulator serves fake Nodes' kubelet endpoints on loopback addresses), not the
                # Hostname first as by default (fake Node names do not resolve).
                "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                "--profiling=false",
            ]
            if self.tokens:
                argv.append(f"--token-auth-file={self.state_dir / 'tokens.csv'}")
            if self.audit_log is not None:
                argv += apiserver_audit_args(self.state_dir)
            self.apiserver = self._spawn("kube-apiserver", argv)
            self._wait(self.apiserver, self._apiserver_ready, timeout=self.start_timeout)

        self._retry_on_port_conflict(start_one)
        self._log(f"kube-apiserver ready at {self.server}")

    def _write_admin_kubeconfig(self) -> None:
        content = render_kubeconfig(
            server=self.server,
            ca_pem=self.pki.serving_ca.read_bytes(),
            user=ADMIN_USER,
            cert_pem=self.pki.admin_cert.read_bytes(),
            key_pem=self.pki.admin_key.read_bytes(),
        )
        write_kubeconfig(self.kubeconfig, content)

    def _start_controller_manager(self) -> None:
        self.controller_manager = self._spawn(
            "kube-controller-manager",
            [
                str(self.bin_dir / "kube-controller-manager"),
                f"--kubeconfig={self.kubeconfig}",
                f"--controllers={','.join(self.controllers)}",
                "--leader-elect=false",
                # Its PersistentVolume binder writes ~4 times per volume: the default client limit
                # (20 QPS, burst 30) alone capped root-disk binding near 6 volumes/s (make bench).
                f"--kube-api-qps={CONTROLLER_MANAGER_QPS}",
                f"--kube-api-burst={2 * CONTROLLER_MANAGER_QPS}",
                "--secure-port=0",
                "--profiling=false",
            ],
        )
        # It has no port to poll; a bad flag or an unreachable apiserver makes it exit at once.
        time.sleep(1.0)
        self.check()
        self._log(f"kube-controller-manager running ({', '.join(self.controllers)})")

    def _wait(self, process: ManagedProcess, ready: Callable[[], bool], *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            for other in self.processes:
                code = other.poll()
                if code is None:
                    continue
                tail = other.log_tail()
                if other is process and "address already in use" in tail:
                    raise _PortConflictError(f"{other.name}: {tail.splitlines()[-1] if tail else ''}")
                raise ControlPlaneError(
                    f"{other.name} exited with code {code} while starting; log {other.log_path}:\n{tail}"
                )
            if ready():
                return
            if time.monotonic() > deadline:
                raise ControlPlaneError(
                    f"{process.name} not ready after {timeout:.0f}s; log {process.log_path}:\n"
                    f"{process.log_tail()}"
                )
            time.sleep(0.25)

    def _etcd_healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.etcd_port}/health", timeout=2) as resp:
                body = json.loads(resp.read())
        except (OSError, ValueError):
            return False
        return bool(body.get("health") == "true")

    def admin_ssl_context(self) -> ssl.SSLContext:
        """TLS context trusting the serving CA and presenting the admin client certificate."""
        context = ssl.create_default_context(cafile=str(self.pki.serving_ca))
        context.load_cert_chain(str(self.pki.admin_cert), str(self.pki.admin_key))
        return context

    def _apiserver_ready(self) -> bool:
        context = self.admin_ssl_context()
        # /readyz covers the post-start hooks (RBAC bootstrap, CRD informers); the `default`
        # namespace is created right after, and tests may rely on it.
        for path in ("/readyz", "/api/v1/namespaces/default"):
            try:
                with urllib.request.urlopen(f"{self.server}{path}", timeout=5, context=context) as resp:
                    if resp.status != 200:
                        return False
            except (OSError, urllib.error.HTTPError):
                return False
        return True
