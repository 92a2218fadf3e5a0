"""``make bench``: benchmarks, not tests. Nothing is asserted; compare runs on the same machine.

1. ``scheduling``: how long one scheduling decision takes, 3 to 1,000 hosts (``scheduling.py``).
   ``list``: ``GET /servers/detail?limit=1000`` in-process over filled caches (``server_list.py``).
   ``operator-memory``: what the operator's indexes hold per server, in-process (``operator_memory.py``).
2. ``stack``: on a stack of its own (``bench_stack.py``; simulator phase delay 0 unless
   ``--phase-delay``): the apiserver requests one server lifecycle costs by component, verb and
   resource (``lifecycle.py``), then what a Nova API client sees: bursts, sustained rate, delete →
   gone, list latency at scale, resident memory (``end_to_end.py``).
Prints a text report and writes one JSON document with every figure and the machine's description.
Every count is an option (``make bench BENCH_ARGS='--list-at 1000 --rates 10'``); the defaults are
the full run of issue 11, which takes an hour or more on 2 cores (filling 5,000 servers dominates).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kubenova_localstack.binaries import repo_root
from kubenova_localstack.stack import StackBusyError, exclusive_state
from tests.bench import end_to_end, end_to_end_report, lifecycle, operator_memory, scheduling, server_list
from tests.bench.bench_stack import StackOptions
from tests.bench.machine import machine


def _parser() -> argparse.ArgumentParser:
    e2e, req, stk = end_to_end.Options(), lifecycle.Options(), StackOptions()
    p = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--only",
        choices=("scheduling", "list", "operator-memory", "stack", "lifecycle"),
        help="one part only (list, operator-memory: in-process; lifecycle: the request counts without the"
        " Nova API phases)",
    )
    p.add_argument("--repeat", type=int, default=30, help="scheduling: runs per cluster size")
    i = p.add_argument_group("GET /servers/detail in-process (no cluster)")
    i.add_argument(
        "--inprocess-list-at", type=int, nargs="*", default=list(server_list.SIZES), help="servers per run"
    )
    i.add_argument("--inprocess-list-repeat", type=int, default=30, help="requests per size")
    o = p.add_argument_group("operator index memory in-process (no cluster)")
    o.add_argument(
        "--operator-memory-at",
        type=int,
        nargs="*",
        default=list(operator_memory.SIZES),
        help="servers per run",
    )
    g = p.add_argument_group("apiserver requests per lifecycle (audit log)")
    g.add_argument("--servers", type=int, default=req.servers, help="servers one at a time")
    g.add_argument("--burst", type=int, default=req.burst, help="servers at once (0: none)")
    g.add_argument("--settle", type=float, default=req.settle, help="quiet seconds that end a phase")
    g.add_argument("--baseline", type=float, default=req.baseline, help="idle seconds (0: none)")
    a = p.add_argument_group("through the Nova API")
    a.add_argument("--burst-size", type=int, default=e2e.burst_size, help="servers per burst")
    a.add_argument("--in-flight", type=int, nargs="*", default=list(e2e.in_flight), help="one burst each")
    a.add_argument("--rates", type=float, nargs="*", default=list(e2e.rates), help="creates/s, one run each")
    a.add_argument("--rate-seconds", type=float, default=e2e.rate_seconds, help="seconds of each rate")
    a.add_argument("--list-at", type=int, nargs="*", default=list(e2e.list_at), help="servers when listing")
    a.add_argument("--list-limit", type=int, default=e2e.list_limit, help="GET /servers/detail?limit=")
    a.add_argument("--list-repeat", type=int, default=e2e.list_repeat, help="list requests per count")
    a.add_argument("--fill-in-flight", type=int, default=e2e.fill_in_flight, help="concurrency of fills")
    a.add_argument(
        "--idle-seconds",
        type=float,
        default=e2e.idle_seconds,
        help="quiet s measured per list count",
    )
    a.add_argument(
        "--no-bare-kubevirt", action="store_true", help="skip the same bursts of VMs made without kubenova"
    )
    a.add_argument("--timeout", type=float, default=e2e.timeout, help="seconds a server may take")
    a.add_argument("--pause", type=float, default=e2e.pause, help="quiet seconds between phases")
    s = p.add_argument_group("the stack")
    s.add_argument("--phase-delay", type=float, default=stk.phase_delay, help="simulator s per VMI phase")
    s.add_argument("--nodes", type=int, default=stk.nodes, help="simulated Nodes")
    s.add_argument(
        "--max-concurrent-builds",
        type=int,
        default=None,
        help="the operator's KUBENOVA_MAX_CONCURRENT_BUILDS per host (0: unlimited; default: its own, 10)",
    )
    s.add_argument("--state-dir", type=Path, help="stack state (default .state/bench/)")
    s.add_argument("--json", type=Path, help="JSON report (default <state-dir>/bench.json)")
    return p


def options_from(args: argparse.Namespace) -> end_to_end.Options:
    api = args.only != "lifecycle"
    return end_to_end.Options(
        burst_size=args.burst_size,
        in_flight=tuple(args.in_flight) if api else (),
        rates=tuple(args.rates) if api else (),
        rate_seconds=args.rate_seconds,
        list_at=tuple(args.list_at) if api else (),
        list_limit=args.list_limit,
        list_repeat=args.list_repeat,
        fill_in_flight=args.fill_in_flight,
        idle_seconds=args.idle_seconds,
        bare_kubevirt=not args.no_bare_kubevirt,
        timeout=args.timeout,
        pause=args.pause,
        requests=lifecycle.Options(args.servers, args.burst, args.settle, args.baseline),
        stack=StackOptions(
            phase_delay=args.phase_delay, nodes=args.nodes, max_concurrent_builds=args.max_concurrent_builds
        ),
    )


def write_json(report: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    state_dir = (args.state_dir or repo_root() / ".state" / "bench").resolve()
    report: dict[str, Any] = {"machine": machine()}
    print(end_to_end_report.machine_text(report["machine"]), flush=True)
    if args.only in (None, "scheduling"):
        report["scheduling"] = scheduling.run(args.repeat)
    if args.only in (None, "list"):
        report["inprocess_list"] = server_list.run(
            args.inprocess_list_repeat, tuple(args.inprocess_list_at), args.list_limit
        )
    if args.only in (None, "operator-memory"):
        report["operator_memory"] = operator_memory.run(tuple(args.operator_memory_at))
    if args.only not in ("scheduling", "list", "operator-memory"):
        print("\nbench stack:", flush=True)
        try:
            with exclusive_state(state_dir):
                report |= end_to_end.run(
                    options_from(args), state_dir / "stack", log=lambda m: print(m, flush=True)
                )
        except StackBusyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    path = write_json(report, args.json or state_dir / "bench.json")
    print("\n" + end_to_end_report.text(report))
    print(f"\nJSON report: {path}")
    if "requests" in report:
        print(f"audit log: {report['requests']['audit_log']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
