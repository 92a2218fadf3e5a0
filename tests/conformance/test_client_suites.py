"""The conformance gate: openstacksdk's and python-openstackclient's own functional compute tests,
unmodified, against a ``make run`` stack with nothing applied by hand but DevStack's image name.

Both suites start at once (each in its own child pytest; they are written for shared clouds) and
each test here waits for one of them. A test of a suite either passes (or is skipped by the suite)
or is listed in ``expected_failures.txt`` with its reason; see ``gate.py`` for the verdict and
``suites.py`` for what the suites are given. ``make conformance`` runs only this module.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
import yaml

from tests.conformance import gate, suites
from tests.support import localstack

pytestmark = [pytest.mark.cluster, pytest.mark.clients, pytest.mark.conformance]

RESULTS: list[str] = []
"""Summary lines for the terminal summary (conftest.py)."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[localstack.LocalStack]:
    """The whole stack (``suites.STACK_ENV``, ``suites.PHASE_DELAY``) plus DevStack's image name."""
    running = localstack.LocalStack(
        tmp_path_factory.mktemp("conformance"),
        ("--phase-delay", str(suites.PHASE_DELAY)),
        suites.STACK_ENV,
    )
    try:
        running.start()
        running.wait_gateway()
        manifest = yaml.safe_dump(suites.devstack_image_manifest())
        subprocess.run(
            running.kubectl_argv("create", "-f", "-"), input=manifest, text=True, check=True, timeout=60
        )
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def started(stack: localstack.LocalStack) -> Iterator[dict[str, suites.Run]]:
    """Both suites running, in one working directory with the clouds.yaml they expect."""
    directory = stack.directory / "suites"
    directory.mkdir()
    suites.write_clouds_yaml(
        directory, stack.gateway_url, localstack.ADMIN_PASSWORD, localstack.USER_PASSWORD
    )
    running = {suite.name: suites.start_suite(suite, directory) for suite in suites.SUITES}
    try:
        yield running
    finally:
        for run in running.values():
            run.kill()


def test_the_list_names_only_tests_of_the_suites_run_here() -> None:
    expected = gate.read_expected()
    assert gate.unknown_ids(expected, (s.package for s in suites.SUITES)) == []


@pytest.mark.timeout(suites.SUITE_TIMEOUT + 300)  # the stack's start is part of the first
@pytest.mark.parametrize("suite", suites.SUITES, ids=lambda s: s.package.split(".")[0])
def test_suite_passes_or_fails_as_listed(suite: suites.Suite, started: dict[str, suites.Run]) -> None:
    result = suites.finish_suite(started[suite.name])
    summary = result.verdict.summary(result.seconds)
    RESULTS.append(summary)
    print(summary)
    assert result.verdict.outcomes, f"{suite.name} ran no test; output: {result.outputs}"
    outputs = ", ".join(map(str, result.outputs))
    assert result.verdict.ok, f"{summary}\n{result.verdict.problems(result.messages)}\n(output: {outputs})"
