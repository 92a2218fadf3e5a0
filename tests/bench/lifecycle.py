"""``make bench``, part 2: the apiserver requests one server costs, from create to ACTIVE and from
delete to gone, by component, verb and resource (see ``bench_stack``, ``lifecycle_driver``,
``lifecycle_report``).

Scenarios: an idle baseline; ``servers`` servers one at a time (each created, ACTIVE, deleted,
gone before the next); then ``burst`` servers created at once and deleted at once. Nothing is
asserted: the figures, and the kubenova writes per create→ACTIVE against its target, are printed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench import lifecycle_report
from tests.bench.bench_stack import BenchStack, StackOptions, bench_stack
from tests.bench.lifecycle_driver import Driver


@dataclass(frozen=True)
class Options:
    servers: int = 20
    burst: int = 5
    settle: float = 2.0
    baseline: float = 12.0


def measure(
    stack: BenchStack, driver: Driver, options: Options, log: Callable[[str], None]
) -> dict[str, Any]:
    """Run the scenarios on a stack whose ``driver`` is set up; return the report (JSON-ready)."""
    if options.baseline > 0:
        log(f"  idle baseline, {options.baseline:g} s")
        driver.baseline(options.baseline)
    for index in range(options.servers):
        log(f"  server {index + 1}/{options.servers}: create → ACTIVE → delete → gone")
        driver.lifecycle(f"seq-{index}", "sequential", 1)
    if options.burst > 0:
        log(f"  burst of {options.burst} servers")
        driver.lifecycle("burst", "burst", options.burst)
    stack.audit.poll()
    report = lifecycle_report.build(
        stack.audit.requests, driver.phases, stack.audit.markers(), options.settle
    )
    report["options"] = {
        "servers": options.servers,
        "burst": options.burst,
        "baseline_seconds": options.baseline,
    }
    report["audit_log"] = str(stack.audit.path)
    return report


def run(
    options: Options,
    state_dir: Path,
    *,
    log: Callable[[str], None] = print,
    stack_options: StackOptions | None = None,
) -> dict[str, Any]:
    """Start a bench stack in ``state_dir``, run the scenarios, return the report (JSON-ready)."""
    with bench_stack(
        state_dir, log=lambda m: log(f"  [stack] {m}"), options=stack_options or StackOptions()
    ) as stack:
        driver = Driver(stack, settle=options.settle)
        try:
            driver.setup()
            return measure(stack, driver, options, log)
        finally:
            driver.close()


def write_json(report: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return path
