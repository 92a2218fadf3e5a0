"""Child processes that are always cleaned up: own process group, log file, ordered stop.

Every child starts in a new session (so a terminal's Ctrl-C reaches only us and we stop children in
the right order) and, when started from the main thread and ``setpriv`` exists, with a parent-death
signal, so even a SIGKILLed Python leaves nothing running. ``stop`` signals the whole process group
(grandchildren included), escalates to SIGKILL after a grace period and reaps, so no zombies remain.
A small JSON registry of what was started lets the next run kill leftovers of a run that died hard.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import IO

Tee = Callable[[str], None]


def _proc_start_time(pid: int) -> int | None:
    """The kernel's start time of ``pid`` (clock ticks since boot), None if it does not exist.

    Together with the pid this identifies a process across pid reuse.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[19])  # field 22 overall; fields here start at field 3


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pdeathsig_prefix() -> list[str]:
    # The parent-death signal fires when the *thread* that forked exits, so only use it from the
    # main thread, whose end is the process's end.
    if threading.current_thread() is not threading.main_thread():
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []


class ManagedProcess:
    """One child process with its output in a log file (and optionally echoed, line by line)."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        tee: Tee | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.tee = tee
        self._popen: subprocess.Popen[bytes] | None = None
        self._pump: threading.Thread | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log: IO[bytes] = self.log_path.open("ab")
        try:
            self._popen = subprocess.Popen(
                [*_pdeathsig_prefix(), *self.argv],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE if self.tee else log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
            )
        except BaseException:
            log.close()
            raise
        if self.tee is not None and self._popen.stdout is not None:
            self._pump = threading.Thread(
                target=self._copy_output, args=(self._popen.stdout, log), name=f"log-{self.name}", daemon=True
            )
            self._pump.start()
        else:
            log.close()

    def _copy_output(self, source: IO[bytes], log: IO[bytes]) -> None:
        with log, source:
            for line in source:
                log.write(line)
                log.flush()
                if self.tee is not None:
                    with contextlib.suppress(Exception):
                        self.tee(line.decode(errors="replace").rstrip("\n"))

    @property
    def pid(self) -> int:
        if self._popen is None:
            raise RuntimeError(f"{self.name} was not started")
        return self._popen.pid

    @property
    def started(self) -> bool:
        return self._popen is not None

    def poll(self) -> int | None:
        """The exit code if the process has exited (and is reaped), else None."""
        return None if self._popen is None else self._popen.poll()

    @property
    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def signal_group(self, sig: signal.Signals) -> None:
        if self._popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._popen.pid, sig)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the process group, SIGKILL what is left after ``grace`` seconds, reap."""
        stop_all([self], grace)

    def wait_stopped(self, deadline: float) -> None:
        """Reap the process (SIGKILL at ``deadline``) and make sure its group is gone."""
        if self._popen is None:
            return
        popen = self._popen
        try:
            popen.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            popen.wait()
        # Grandchildren that outlived the leader still carry its pgid.
        if _group_alive(popen.pid):
            self.signal_group(signal.SIGKILL)
            end = time.monotonic() + 5
            while _group_alive(popen.pid) and time.monotonic() < end:
                time.sleep(0.05)
        if self._pump is not None:
            self._pump.join(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def record(self) -> dict[str, object]:
        """What :func:`kill_recorded` needs to find this process again after we died."""
        return {"name": self.name, "pid": self.pid, "start_time": _proc_start_time(self.pid)}


def stop_all(processes: Sequence[ManagedProcess], grace: float = 10.0) -> None:
    """Stop several processes at once (one grace period for all of them, not one each)."""
    with signals_deferred():
        live = [p for p in processes if p.started]
        for p in live:
            if p.poll() is None:
                p.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for p in live:
            p.wait_stopped(deadline)


def write_registry(path: Path, processes: Sequence[ManagedProcess]) -> None:
    """Record the running processes so a later run can clean up after a hard crash of this one."""
    records = [p.record() for p in processes if p.started]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(records))
    tmp.replace(path)


def kill_recorded(path: Path) -> list[str]:
    """Kill the process groups recorded in ``path`` that still exist; return what was killed."""
    try:
        records = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    killed: list[str] = []
    for record in records:
        pid, start_time = record.get("pid"), record.get("start_time")
        if not isinstance(pid, int) or start_time is None:
            continue
        if _proc_start_time(pid) != start_time:
            continue  # gone, or the pid now belongs to someone else
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
            killed.append(f"{record.get('name')} (pid {pid})")
    with contextlib.suppress(OSError):
        path.unlink()
    return killed


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Ignore SIGINT/SIGTERM while cleaning up, so a second Ctrl-C cannot leave orphans behind."""
    if not _in_main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in previous:
        signal.signal(s, signal.SIG_IGN)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"received signal {signal.Signals(signum).name}")


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def stop_signals_as_interrupt() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into KeyboardInterrupt so ``finally`` blocks (and pytest teardown)
    run, whatever this process inherited.

    Python's default SIGTERM action kills the interpreter without any cleanup, which would orphan
    every child; and a process started with SIGINT ignored (a background job of a shell) gets no
    KeyboardInterrupt from Python at all, so Ctrl-C or ``kill -INT`` would do nothing. Both are
    handled here explicitly. A handler someone else installed (pytest's, uvicorn's) is left alone.
    """
    if not _in_main_thread():
        yield
        return
    replaceable = (signal.SIG_DFL, signal.SIG_IGN, signal.default_int_handler, None)
    previous = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    ours = [s for s, handler in previous.items() if handler in replaceable]
    for s in ours:
        signal.signal(s, _raise_interrupt)
    try:
        yield
    finally:
        for s in ours:
            signal.signal(s, previous[s] if previous[s] is not None else signal.SIG_DFL)
