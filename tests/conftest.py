"""Shared pytest configuration: fixtures live in tests/fixtures/, one module per component."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

pytest_plugins = [
    "tests.fixtures.cluster",
    "tests.fixtures.simulator",
    "tests.fixtures.operator",
    "tests.fixtures.gateway",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the real cluster, so ``-m "not cluster"`` runs the fast ones only."""
    for item in items:
        if "cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.cluster)


# ----- what the processes logged while a failing test ran ----------------------------------------

_LOGGED_SINCE = pytest.StashKey[dict[str, tuple[Path, int]]]()
LOG_LINES_ON_FAILURE = 150
_PROCESS_FIXTURES = ("operator", "simulator", "gateway")


def _log_path(handle: object) -> Path | None:
    path = getattr(handle, "log_path", None)
    return path if isinstance(path, Path) else None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Note where each running component's log stood when the test body started."""
    funcargs: dict[str, object] = getattr(item, "funcargs", {})
    since: dict[str, tuple[Path, int]] = {}
    for name in _PROCESS_FIXTURES:
        path = _log_path(funcargs.get(name))
        if path is not None:
            since[name] = (path, path.stat().st_size if path.exists() else 0)
    item.stash[_LOGGED_SINCE] = since
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing test's report carries what the operator, simulator and gateway logged during it
    (the last lines), so a failure seen once in CI can be read afterwards."""
    report = yield
    if call.when != "call" or not report.failed:
        return report
    for name, (path, offset) in item.stash.get(_LOGGED_SINCE, {}).items():
        try:
            with path.open("rb") as log:
                log.seek(offset)
                text = log.read().decode(errors="replace")
        except OSError:
            continue
        lines = text.splitlines()[-LOG_LINES_ON_FAILURE:]
        report.sections.append((f"{name} log during the test (last {len(lines)} lines)", "\n".join(lines)))
    return report
