"""``make run`` as a test sees it: ``python -m kubenova_localstack run`` in a child process.

The child is the real stack (its own control plane, or an existing cluster with
``KUBENOVA_EXISTING_CLUSTER=1``), with its state, logs and clouds.yaml in a directory of the test's
(``XDG_CONFIG_HOME`` points there, so the user's own ``~/.config/openstack`` is never touched).
"""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kubenova_localstack.binaries import ensure_binaries, repo_root
from kubenova_localstack.ports import free_port
from kubenova_localstack.process import ManagedProcess

BANNER_END = "Ctrl-C stops everything."
ADMIN_PASSWORD = "admin-stack-password"
USER_PASSWORD = "user-stack-password"


@dataclass
class LocalStack:
    """One ``python -m kubenova_localstack run`` in ``directory``; :meth:`start`, then :meth:`stop`."""

    directory: Path
    args: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    gateway_port: int = field(default_factory=free_port)
    process: ManagedProcess | None = None

    @property
    def state_dir(self) -> Path:
        return self.directory / "state"

    @property
    def config_home(self) -> Path:
        return self.directory / "config"

    @property
    def log_path(self) -> Path:
        return self.directory / "stack.log"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def kubeconfig(self) -> Path:
        return Path(self.env.get("KUBECONFIG") or self.state_dir / "kubeconfig")

    def child_env(self) -> dict[str, str]:
        """What the stack runs with: fixed passwords, clouds.yaml under ``config_home``."""
        inherited = ("OS_", "KUBENOVA_NO_DEFAULTS", "KUBENOVA_EXISTING_CLUSTER", "KUBECONFIG")
        env = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
        env.update(
            XDG_CONFIG_HOME=str(self.config_home),
            KUBENOVA_ADMIN_PASSWORD=ADMIN_PASSWORD,
            KUBENOVA_USER_PASSWORD=USER_PASSWORD,
            PYTHONUNBUFFERED="1",
        )
        env.update(self.env)
        return env

    def start(self, *, timeout: float = 300) -> str:
        """Start the stack and wait for its banner; returns everything it printed so far."""
        argv = [sys.executable, "-m", "kubenova_localstack", "--state-dir", str(self.state_dir), "run"]
        argv += ["--quiet", "--gateway-port", str(self.gateway_port), *self.args]
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = ManagedProcess(
            "kubenova-stack", argv, log_path=self.log_path, env=self.child_env(), cwd=repo_root()
        )
        self.process.start()
        deadline = time.monotonic() + timeout
        while BANNER_END not in self.output():
            if not self.process.running:
                raise AssertionError(f"the stack exited with {self.process.poll()}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no banner within {timeout}s:\n{self.output()}")
            time.sleep(0.2)
        return self.output()

    def wait_gateway(self, *, timeout: float = 120) -> None:
        """Until the gateway answers Keystone's version document."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.gateway_url}/identity/v3", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the gateway did not answer within {timeout}s:\n{self.output()}")
            time.sleep(0.3)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kubectl_argv(self, *args: str) -> list[str]:
        return [str(ensure_binaries() / "kubectl"), f"--kubeconfig={self.kubeconfig}", *args]

    def stop(self) -> int | None:
        """SIGTERM (the stack's Ctrl-C) and wait; returns its exit code."""
        if self.process is None:
            return None
        self.process.stop(grace=60)
        return self.process.poll()
