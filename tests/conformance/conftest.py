"""Print the conformance counts in pytest's terminal summary (also when the gate passes)."""

from __future__ import annotations

import pytest

from tests.conformance import test_client_suites


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if test_client_suites.RESULTS:
        terminalreporter.section("conformance: the clients' functional compute suites")
        for line in test_client_suites.RESULTS:
            terminalreporter.write_line(line)
