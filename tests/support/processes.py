"""Helpers for tests that run real processes: read their output as it comes, check they are gone."""

from __future__ import annotations

import queue
import re
import subprocess
import threading
import time
from pathlib import Path


class LineReader:
    """Collects a child's stdout lines in a background thread, so tests can wait for a line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        if process.stdout is None:
            raise ValueError("start the process with stdout=subprocess.PIPE, text=True")
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(process,), daemon=True)
        self._thread.start()

    def _pump(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def expect(self, pattern: str, *, timeout: float) -> re.Match[str]:
        """Wait for a line matching ``pattern`` (regex search); fail with everything seen so far."""
        deadline = time.monotonic() + timeout
        for line in self.lines:
            found = re.search(pattern, line)
            if found:
                return found
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                item = self._queue.get(timeout=remaining)
            except queue.Empty:
                break
            if item is None:
                raise AssertionError(f"output ended without {pattern!r}:\n" + "\n".join(self.lines))
            self.lines.append(item)
            found = re.search(pattern, item)
            if found:
                return found
        raise AssertionError(f"no {pattern!r} within {timeout}s:\n" + "\n".join(self.lines))

    def text(self, *, wait: float = 0) -> str:
        """Everything read so far (after draining what arrives within ``wait`` seconds)."""
        self._thread.join(timeout=wait)
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                self.lines.append(item)
        return "\n".join(self.lines)


def process_state(pid: int) -> str | None:
    """The kernel's state letter for ``pid`` (R, S, Z, ...) or None if there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2]


def running(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie (a zombie runs no code; its reaper is init)."""
    state = process_state(pid)
    return state is not None and state not in ("Z", "X")
