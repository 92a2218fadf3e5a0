"""The conformance gate's bookkeeping: outcomes from JUnit XML, the expected-failures list, verdict.

A test either passes (or is skipped by its own suite), or it is listed in
``expected_failures.txt`` with the reason it cannot pass here. The gate fails on an unlisted
failure, on a listed test that did not fail (it passes now: remove it from the list), and on a
listed test that no longer exists.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

EXPECTED_FAILURES = Path(__file__).with_name("expected_failures.txt")
PASSED, SKIPPED, FAILED = "passed", "skipped", "failed"


def read_expected(path: Path = EXPECTED_FAILURES) -> dict[str, str]:
    """``{test id: reason}`` from lines ``<test id>: <reason>``; ``#`` starts a comment line."""
    expected: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        test_id, sep, reason = line.partition(": ")
        if not sep or not reason.strip() or " " in test_id:
            raise ValueError(f"{path}:{number}: expected '<test id>: <reason>', got {raw!r}")
        if test_id in expected:
            raise ValueError(f"{path}:{number}: {test_id} is listed twice")
        expected[test_id] = reason.strip()
    return expected


def read_junit(path: Path, package: str) -> dict[str, str]:
    """``{package.module.Class.test: passed|skipped|failed}``; an error in setup or teardown fails."""
    outcomes: dict[str, str] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        test_id = f"{package}.{case.get('classname')}.{case.get('name')}"
        tags = {child.tag for child in case}
        if tags & {"failure", "error"}:
            outcome = FAILED
        elif "skipped" in tags:
            outcome = SKIPPED
        else:
            outcome = PASSED
        if outcomes.get(test_id) != FAILED:
            outcomes[test_id] = outcome
    return outcomes


@dataclass(frozen=True)
class Verdict:
    """One suite's result against the list."""

    suite: str
    outcomes: Mapping[str, str]
    expected: Mapping[str, str]  # only the entries of this suite

    @property
    def unexpected_failures(self) -> list[str]:
        return sorted(t for t, o in self.outcomes.items() if o == FAILED and t not in self.expected)

    @property
    def fixed(self) -> list[str]:
        """Listed, but did not fail: it passes (or skips) now, so the entry must go."""
        return sorted(t for t in self.expected if self.outcomes.get(t, FAILED) != FAILED)

    @property
    def stale(self) -> list[str]:
        """Listed, but the suite has no such test."""
        return sorted(t for t in self.expected if t not in self.outcomes)

    @property
    def ok(self) -> bool:
        return not (self.unexpected_failures or self.fixed or self.stale)

    def counts(self) -> Counter[str]:
        counts = Counter(self.outcomes.values())
        counts["expected failures"] = sum(1 for t in self.expected if self.outcomes.get(t) == FAILED)
        return counts

    def summary(self, seconds: float | None = None) -> str:
        c = self.counts()
        unexpected = len(self.unexpected_failures)
        text = (
            f"{self.suite}: {c[PASSED]} passed, {c[SKIPPED]} skipped, {c['expected failures']} expected "
            f"failures, {unexpected} unexpected failures (of {len(self.outcomes)} tests"
        )
        return text + (f", {seconds:.0f} s)" if seconds is not None else ")")

    def problems(self, reasons: Mapping[str, str] | None = None) -> str:
        lines = []
        for test_id in self.unexpected_failures:
            detail = (reasons or {}).get(test_id, "")
            lines.append(f"UNEXPECTED FAILURE {test_id}{': ' + detail if detail else ''}")
        lines += [f"NOW PASSES (remove it from {EXPECTED_FAILURES.name}) {t}" for t in self.fixed]
        lines += [f"NO SUCH TEST (remove it from {EXPECTED_FAILURES.name}) {t}" for t in self.stale]
        return "\n".join(lines)


def verdict(suite: str, package: str, outcomes: Mapping[str, str], expected: Mapping[str, str]) -> Verdict:
    ours = {t: r for t, r in expected.items() if t.startswith(package + ".")}
    return Verdict(suite, dict(outcomes), ours)


def failure_messages(path: Path, package: str) -> dict[str, str]:
    """The last line of each failure's text: enough to tell why in the gate's report."""
    messages: dict[str, str] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        for child in case:
            if child.tag in ("failure", "error"):
                lines = [line.strip() for line in (child.text or child.get("message") or "").splitlines()]
                interesting = [line for line in lines if _interesting(line)] or [
                    line for line in lines if line
                ]
                test_id = f"{package}.{case.get('classname')}.{case.get('name')}"
                messages.setdefault(test_id, interesting[-1][:300] if interesting else "")
    return messages


def _interesting(line: str) -> bool:
    return any(word in line for word in ("Exception", "Error", "error", "Mismatch", "!="))


def unknown_ids(ids: Iterable[str], packages: Iterable[str]) -> list[str]:
    """Listed ids that belong to none of the suites the gate runs."""
    prefixes = tuple(p + "." for p in packages)
    return sorted(i for i in ids if not i.startswith(prefixes))
