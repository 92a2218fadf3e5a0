"""Starting and stopping leaves nothing behind: not on stop(), SIGTERM, SIGINT, nor SIGKILL.

Each test runs its own control plane (in a child Python where the test needs to signal the host), so
these are slower than the rest; they guard against the worst failure a test harness can have:
orphaned apiservers eating a shared 2-core machine.
"""

from __future__ import annotations

import itertools
import json
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubenova_localstack.binaries import ensure_binaries, repo_root
from kubenova_localstack.controlplane import REGISTRY_NAME, ControlPlane
from kubenova_localstack.ports import free_port
from kubenova_localstack.process import ManagedProcess, write_registry
from tests.support.processes import LineReader, process_state, running
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

HOST_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from kubenova_localstack.controlplane import ControlPlane
    from kubenova_localstack.process import stop_signals_as_interrupt

    with stop_signals_as_interrupt(), ControlPlane(Path(sys.argv[1]), Path(sys.argv[2])) as plane:
        print("PIDS " + json.dumps([p.pid for p in plane.processes]), flush=True)
        while True:
            time.sleep(0.2)
    """
)

STACK_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from kubenova_localstack.stack import App, Stack
    from kubenova_localstack.binaries import repo_root

    state = sys.argv[1]
    apps = [
        App("watcher", "kubenova_localstack", ("--state-dir", state, "kubectl", "get", "ns", "--watch")),
        App("oneshot", "kubenova_localstack", ("binaries",)),
        App("absent", "kubenova_no_such_package"),
    ]
    sys.exit(Stack(root=repo_root(), state_dir=Path(state), apps=apps).run())
    """
)


@pytest.fixture(scope="module")
def bin_dir() -> Path:
    return ensure_binaries()


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _host(script: str, *args: str, sigint_ignored: bool = False) -> tuple[subprocess.Popen[str], LineReader]:
    """``script`` in a child Python; ``sigint_ignored``: started as a shell's background job is."""
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        preexec_fn=_ignore_sigint if sigint_ignored else None,  # noqa: PLW1509 - no threads to fork into
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=repo_root(),
    )
    return process, LineReader(process)


@pytest.fixture
def reap() -> Iterator[list[subprocess.Popen[str]]]:
    """Hosts started by a test; killed if the test fails before stopping them."""
    hosts: list[subprocess.Popen[str]] = []
    yield hosts
    for host in hosts:
        if host.poll() is None:
            host.send_signal(signal.SIGTERM)
            try:
                host.wait(timeout=30)
            except subprocess.TimeoutExpired:
                host.kill()
                host.wait()


def _assert_all_gone(pids: list[int], *, zombies_ok: bool = False) -> None:
    check = running if zombies_ok else (lambda pid: process_state(pid) is not None)
    wait_for(
        lambda: not [p for p in pids if check(p)],
        timeout=15,
        message=f"left behind: {[(p, process_state(p)) for p in pids if check(p)]}",
    )


def test_stop_leaves_no_process_behind(bin_dir: Path, tmp_path: Path) -> None:
    plane = ControlPlane(tmp_path / "state", bin_dir)
    with plane:
        pids = [p.pid for p in plane.processes]
        assert len(pids) == 3
        assert all(running(p) for p in pids)
        assert (plane.state_dir / REGISTRY_NAME).exists()
    _assert_all_gone(pids)
    assert not (plane.state_dir / REGISTRY_NAME).exists()
    plane.stop()  # idempotent


@pytest.mark.parametrize(
    ("sig", "sigint_ignored"),
    [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True)],
    ids=["SIGTERM", "SIGINT", "SIGINT-started-ignored"],
)
def test_signalled_host_stops_its_control_plane(
    bin_dir: Path,
    tmp_path: Path,
    sig: signal.Signals,
    sigint_ignored: bool,
    reap: list[subprocess.Popen[str]],
) -> None:
    host, out = _host(HOST_SCRIPT, str(tmp_path / "state"), str(bin_dir), sigint_ignored=sigint_ignored)
    reap.append(host)
    pids = json.loads(out.expect(r"^PIDS (.*)", timeout=180).group(1))
    host.send_signal(sig)
    # Both signals became KeyboardInterrupt, so the cleanup ran (an unhandled SIGTERM would be -15
    # and leave the cleanup to the parent-death signal).
    assert host.wait(timeout=60) == -signal.SIGINT
    # The host reaped its children itself: no zombies either.
    _assert_all_gone(pids)


def test_sigkilled_host_takes_its_control_plane_along(
    bin_dir: Path, tmp_path: Path, reap: list[subprocess.Popen[str]]
) -> None:
    host, out = _host(HOST_SCRIPT, str(tmp_path / "state"), str(bin_dir))
    reap.append(host)
    pids = json.loads(out.expect(r"^PIDS (.*)", timeout=180).group(1))
    host.kill()
    host.wait(timeout=30)
    # No cleanup code ran; the parent-death signal did the job. Reaping is init's business now.
    _assert_all_gone(pids, zombies_ok=True)


def test_next_start_kills_leftovers_of_a_crashed_run(bin_dir: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    # A leftover that outlived its parent (as if it had been started without a parent-death signal).
    leftover = ManagedProcess("etcd", ["sleep", "300"], log_path=state / "leftover.log")
    leftover.start()
    try:
        write_registry(state / REGISTRY_NAME, [leftover])
        with ControlPlane(state, bin_dir) as plane:
            wait_for(lambda: leftover.poll() is not None, timeout=10, message="leftover still running")
            assert plane.etcd is not None
            assert plane.etcd.running
    finally:
        leftover.stop(grace=1)


def test_stack_runs_apps_reports_deaths_and_stops_cleanly(
    bin_dir: Path, tmp_path: Path, reap: list[subprocess.Popen[str]]
) -> None:
    state = tmp_path / "state"
    host, out = _host(STACK_SCRIPT, str(state), sigint_ignored=True)  # as `make run &` starts it
    reap.append(host)
    out.expect(r"Ctrl-C stops everything", timeout=240)
    banner = out.text()
    assert f"export KUBECONFIG={state / 'kubeconfig'}" in banner
    assert f"export PATH={bin_dir}:$PATH" in banner
    assert "absent              not started: kubenova_no_such_package has no __main__" in banner
    # Children see KUBECONFIG: the watcher's kubectl output is echoed with its name.
    out.expect(r"^\[watcher\] default\s+Active", timeout=60)
    out.expect(r"^!! oneshot exited with code 0", timeout=60)

    pids = [r["pid"] for name in (REGISTRY_NAME, "apps.json") for r in json.loads((state / name).read_text())]
    assert len(pids) == 5  # etcd, apiserver, KCM, watcher, oneshot

    # A second stack on the same state directory is refused, and touches nothing.
    second = subprocess.run(
        [sys.executable, "-m", "kubenova_localstack", "--state-dir", str(state), "run", "--quiet"],
        check=False,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=repo_root(),
    )
    assert second.returncode == 2, second.stderr
    assert "another kubenova stack" in second.stderr
    assert host.poll() is None

    host.send_signal(signal.SIGINT)
    assert host.wait(timeout=60) == 0
    assert "kubenova stack stopped." in out.text(wait=5)
    _assert_all_gone(pids)


def test_a_port_taken_before_the_bind_is_retried_with_fresh_ports(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probe-then-bind race: someone grabs the etcd and apiserver ports first; start still works."""
    squatters = [socket.create_server(("127.0.0.1", 0)) for _ in range(2)]
    taken = [s.getsockname()[1] for s in squatters]
    # Calls: 1 etcd client (taken), 2 etcd peer, retry: 3 client, 4 peer, 5 apiserver (taken), ...
    stolen = {1: taken[0], 5: taken[1]}
    calls = itertools.count(1)

    def racy_free_port() -> int:
        return stolen.get(next(calls)) or free_port()

    monkeypatch.setattr("kubenova_localstack.controlplane.free_port", racy_free_port)
    messages: list[str] = []
    try:
        with ControlPlane(tmp_path / "state", bin_dir, log=messages.append) as plane:
            assert plane.etcd_port != taken[0]
            assert plane.apiserver_port != taken[1]
            plane.check()
    finally:
        for s in squatters:
            s.close()
    conflicts = [m for m in messages if m.startswith("port conflict")]
    assert len(conflicts) == 2, messages
    assert "etcd" in conflicts[0]
    assert "kube-apiserver" in conflicts[1]
