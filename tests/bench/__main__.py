"""``make bench``: benchmarks, not tests. Nothing is asserted; compare runs on the same machine.

1. ``scheduling``: how long one scheduling decision takes, and its peak memory (``scheduling.py``).
2. ``lifecycle``: the apiserver requests one server costs, create → ACTIVE and delete → gone, by
   component, verb and resource, on a stack of its own with the audit log on (``lifecycle.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kubenova_localstack.binaries import repo_root
from kubenova_localstack.stack import StackBusyError, exclusive_state
from tests.bench import lifecycle, lifecycle_report, scheduling


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("scheduling", "lifecycle"), help="run one part only")
    parser.add_argument("--repeat", type=int, default=30, help="scheduling: runs per cluster size")
    defaults = lifecycle.Options()
    parser.add_argument(
        "--servers", type=int, default=defaults.servers, help="lifecycle: servers one at a time"
    )
    parser.add_argument(
        "--burst", type=int, default=defaults.burst, help="lifecycle: servers at once (0: none)"
    )
    parser.add_argument(
        "--settle", type=float, default=defaults.settle, help="lifecycle: quiet seconds that end a phase"
    )
    parser.add_argument("--baseline", type=float, default=defaults.baseline, help="lifecycle: idle seconds")
    parser.add_argument("--state-dir", type=Path, help="lifecycle stack state (default .state/bench/)")
    parser.add_argument("--json", type=Path, help="lifecycle report (default <state-dir>/requests.json)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.only != "lifecycle":
        scheduling.run(args.repeat)
    if args.only == "scheduling":
        return 0
    state_dir = (args.state_dir or repo_root() / ".state" / "bench").resolve()
    options = lifecycle.Options(args.servers, args.burst, args.settle, args.baseline)
    print("\napiserver requests per server lifecycle (own control plane, audit log):", flush=True)
    try:
        with exclusive_state(state_dir):
            report = lifecycle.run(options, state_dir / "stack", log=lambda m: print(m, flush=True))
    except StackBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    path = lifecycle.write_json(report, args.json or state_dir / "requests.json")
    print()
    print(lifecycle_report.text(report))
    print(f"\nJSON report: {path}\naudit log: {report['audit_log']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
