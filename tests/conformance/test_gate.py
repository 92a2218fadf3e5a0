"""The gate's verdict (no cluster): what passes, what must be listed, when the list must shrink."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance import gate

PKG = "pkg.tests"
JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
  <testcase classname="test_a.A" name="test_ok" time="1.0"/>
  <testcase classname="test_a.A" name="test_skip" time="0.1"><skipped message="no cinder"/></testcase>
  <testcase classname="test_a.A" name="test_fail" time="1.0">
    <failure message="boom">Traceback\nNotFoundException: 404 for /os-hosts\n</failure></testcase>
  <testcase classname="test_b.B" name="test_setup_error" time="0.0"><error message="e">x</error></testcase>
  <testcase classname="test_b.B" name="test_listed_ok" time="1.0"/>
</testsuite></testsuites>
"""


@pytest.fixture
def junit(tmp_path: Path) -> Path:
    path = tmp_path / "suite.xml"
    path.write_text(JUNIT)
    return path


def test_outcomes_come_from_junit(junit: Path) -> None:
    assert gate.read_junit(junit, PKG) == {
        f"{PKG}.test_a.A.test_ok": gate.PASSED,
        f"{PKG}.test_a.A.test_skip": gate.SKIPPED,
        f"{PKG}.test_a.A.test_fail": gate.FAILED,
        f"{PKG}.test_b.B.test_setup_error": gate.FAILED,
        f"{PKG}.test_b.B.test_listed_ok": gate.PASSED,
    }
    assert gate.failure_messages(junit, PKG)[f"{PKG}.test_a.A.test_fail"] == (
        "NotFoundException: 404 for /os-hosts"
    )


def test_unlisted_failures_fixed_and_stale_entries_fail_the_gate(junit: Path) -> None:
    expected = {
        f"{PKG}.test_a.A.test_fail": "needs os-hosts",
        f"{PKG}.test_b.B.test_listed_ok": "was broken",
        f"{PKG}.test_b.B.test_gone": "renamed upstream",
        "other.suite.test_x.X.test_y": "not this suite's",
    }
    verdict = gate.verdict("suite", PKG, gate.read_junit(junit, PKG), expected)
    assert verdict.unexpected_failures == [f"{PKG}.test_b.B.test_setup_error"]
    assert verdict.fixed == [f"{PKG}.test_b.B.test_listed_ok"]
    assert verdict.stale == [f"{PKG}.test_b.B.test_gone"]
    assert not verdict.ok
    assert verdict.summary(12.3) == (
        "suite: 2 passed, 1 skipped, 1 expected failures, 1 unexpected failures (of 5 tests, 12 s)"
    )
    problems = verdict.problems()
    assert "UNEXPECTED FAILURE pkg.tests.test_b.B.test_setup_error" in problems
    assert "NOW PASSES (remove it from expected_failures.txt) pkg.tests.test_b.B.test_listed_ok" in problems


def test_the_gate_passes_when_every_failure_is_listed(junit: Path) -> None:
    expected = {f"{PKG}.test_a.A.test_fail": "r", f"{PKG}.test_b.B.test_setup_error": "r"}
    assert gate.verdict("suite", PKG, gate.read_junit(junit, PKG), expected).ok


def test_list_format(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("# comment\n\npkg.t.A.test_x: needs Cinder (volumes)\n")
    assert gate.read_expected(path) == {"pkg.t.A.test_x": "needs Cinder (volumes)"}
    for bad in ("pkg.t.A.test_x\n", "pkg.t.A.test_x: \n", "a.b: r\na.b: r\n", "not an id: r\n"):
        path.write_text(bad)
        with pytest.raises(ValueError, match="list"):
            gate.read_expected(path)


def test_the_real_list_parses_and_gives_every_entry_a_reason() -> None:
    expected = gate.read_expected()
    assert expected
    assert all(len(reason) > 10 for reason in expected.values())
