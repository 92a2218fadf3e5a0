"""Requests per server lifecycle: audit records attributed to phases, summed, divided, printed.

A request belongs to a phase when the apiserver received it between the phase's two markers. The
driver's own requests and the simulator's heartbeats (``Request.heartbeat``) are left out and
counted separately. Per-server figures are a scenario's total divided by the servers it handled.
"""

from __future__ import annotations

import bisect
import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from tests.bench.audit_events import BENCH, KUBENOVA_COMPONENTS, Request
from tests.bench.lifecycle_driver import Phase

TARGET_WRITES = 6
CODES = (409, 422)
Key = tuple[str, str, str, str]  # component, kind (write/read/other), verb, resource


def attribute(
    requests: Iterable[Request], phases: Sequence[Phase], markers: dict[str, datetime.datetime]
) -> dict[str, list[Request]]:
    """The requests of each phase (by name); those outside every phase go to ``""``."""
    windows = sorted((markers[f"{p.name}.begin"], markers[f"{p.name}.end"], p.name) for p in phases)
    starts = [w[0] for w in windows]
    found: dict[str, list[Request]] = defaultdict(list)
    for request in requests:
        index = bisect.bisect_right(starts, request.received) - 1
        inside = index >= 0 and request.received <= windows[index][1]
        found[windows[index][2] if inside else ""].append(request)
    return found


def _tree(counts: Counter[Key], divisor: int) -> dict[str, Any]:
    """component → kind → verb → resource → count per server."""
    tree: dict[str, Any] = {}
    for (component, kind, verb, resource), n in sorted(counts.items()):
        tree.setdefault(component, {}).setdefault(kind, {}).setdefault(verb, {})[resource] = round(
            n / divisor, 3
        )
    return tree


def _by_agent(agents: Counter[tuple[str, str, str]], divisor: int) -> dict[str, Any]:
    """component → user agent → {write, read, other} per server."""
    tree: dict[str, Any] = {}
    for (component, agent, kind), n in sorted(agents.items()):
        bucket = tree.setdefault(component, {}).setdefault(agent, {"write": 0.0, "read": 0.0, "other": 0.0})
        bucket[kind] = round(n / divisor, 3)
    return tree


def _scenario(phases: list[Phase], by_phase: dict[str, list[Request]]) -> dict[str, Any]:
    servers = sum(p.servers for p in phases) or 1
    counts: Counter[Key] = Counter()
    codes: Counter[tuple[str, str, str]] = Counter()  # component, code, 'verb resource'
    agents: Counter[tuple[str, str, str]] = Counter()  # component, user agent, kind
    excluded: Counter[str] = Counter()
    each: list[int] = []
    for phase in phases:
        own = 0
        for r in by_phase.get(phase.name, []):
            if r.component == BENCH or r.heartbeat:
                excluded["bench" if r.component == BENCH else "heartbeats"] += 1
                continue
            counts[(r.component, r.kind, r.verb, r.resource)] += 1
            agents[(r.component, r.user_agent, r.kind)] += 1
            if r.code in CODES:
                codes[(r.component, str(r.code), f"{r.verb} {r.resource}")] += 1
            own += r.kind == "write" and r.component in KUBENOVA_COMPONENTS
        each.append(own)
    totals: dict[str, dict[str, float]] = {}
    for (component, kind, _, _), n in counts.items():
        bucket = totals.setdefault(component, {"write": 0.0, "read": 0.0, "other": 0.0})
        bucket[kind] += n / servers
    code_tree: dict[str, dict[str, dict[str, float]]] = {}
    for (component, code, what), n in sorted(codes.items()):
        code_tree.setdefault(component, {}).setdefault(code, {})[what] = round(n / servers, 3)
    kubenova_writes = sum(totals.get(c, {}).get("write", 0.0) for c in KUBENOVA_COMPONENTS)
    return {
        "phases": len(phases),
        "servers": servers,
        "seconds_median": round(statistics.median(p.seconds for p in phases), 3),
        "per_server": _tree(counts, servers),
        "totals_per_server": {c: {k: round(v, 3) for k, v in t.items()} for c, t in sorted(totals.items())},
        "codes_per_server": code_tree,
        "kubenova_writes_per_server": round(kubenova_writes, 3),
        "kubenova_writes_each_phase": each,
        "by_user_agent": _by_agent(agents, servers),
        "excluded": dict(excluded),
    }


def build(
    requests: list[Request], phases: list[Phase], markers: dict[str, datetime.datetime], settle: float
) -> dict[str, Any]:
    by_phase = attribute(requests, phases, markers)
    groups: dict[str, list[Phase]] = defaultdict(list)
    for phase in phases:
        groups[f"{phase.scenario}.{phase.step}"].append(phase)
    scenarios = {name: _scenario(group, by_phase) for name, group in groups.items()}
    baseline = scenarios.pop("baseline.idle", None)
    headline = scenarios.get("sequential.create") or scenarios.get("burst.create")
    outside = [r for r in by_phase.get("", []) if r.component != BENCH]
    return {
        "definitions": {
            "write": "create, update, patch, delete, deletecollection (Events are created: writes)",
            "read": "get, list, watch (a watch counts once, when it starts)",
            "other": "non-resource requests (discovery)",
            "kubenova": list(KUBENOVA_COMPONENTS),
            "excluded": "the bench driver's own requests; the simulator's Node/Lease heartbeats",
            "settle_seconds": settle,
        },
        "scenarios": scenarios,
        "baseline": baseline,
        "outside_phases": {"requests": len(outside)},
        "summary": {
            "kubenova_writes_per_create_to_active": headline["kubenova_writes_per_server"]
            if headline
            else None,
            "target": TARGET_WRITES,
        },
    }


TITLES = {
    "sequential.create": "create → ACTIVE, one server at a time",
    "sequential.delete": "delete → gone, one server at a time",
    "burst.create": "create → ACTIVE, servers created at once",
    "burst.delete": "delete → gone, servers deleted at once",
}


def text(report: dict[str, Any]) -> str:
    """The report as a table per scenario, then the headline."""
    lines: list[str] = []
    for name, scenario in report["scenarios"].items():
        title = TITLES.get(name, name)
        lines.append(
            f"{title} ({scenario['servers']} servers, median {scenario['seconds_median']:.1f} s/phase)"
        )
        lines.append(f"  {'component':<24} {'kind':<6} {'verb':<7} {'resource':<44} {'/server':>8}")
        for component, kinds in scenario["per_server"].items():
            for kind, verbs in kinds.items():
                for verb, resources in verbs.items():
                    for resource, n in resources.items():
                        lines.append(f"  {component:<24} {kind:<6} {verb:<7} {resource:<44} {n:8.2f}")
        for component, totals in scenario["totals_per_server"].items():
            codes = scenario["codes_per_server"].get(component, {})
            extra = "".join(f", {code}s {sum(by.values()):.2f}" for code, by in codes.items())
            lines.append(f"  = {component}: writes {totals['write']:.2f}, reads {totals['read']:.2f}{extra}")
            agents = scenario["by_user_agent"].get(component, {})
            if len(agents) > 1:
                for agent, split in agents.items():
                    other = f", other {split['other']:.2f}" if split["other"] else ""
                    lines.append(
                        f"      {agent}: writes {split['write']:.2f}, reads {split['read']:.2f}{other}"
                    )
        who = "+".join(KUBENOVA_COMPONENTS)
        lines.append(f"  kubenova ({who}) writes per server: {scenario['kubenova_writes_per_server']:.2f}")
        lines.append("")
    baseline = report.get("baseline")
    if baseline:
        lines.append(
            f"idle baseline ({baseline['seconds_median']:.0f} s, no server): excluded {baseline['excluded']}"
        )
        for component, totals in baseline["totals_per_server"].items():
            counts = f"writes {totals['write']:.0f}, reads {totals['read']:.0f}, other {totals['other']:.0f}"
            lines.append(f"  {component}: {counts}")
        lines.append("")
    headline = report["summary"]["kubenova_writes_per_create_to_active"]
    shown = "n/a" if headline is None else f"{headline:.2f}"
    lines.append(f"kubenova writes per create→ACTIVE: {shown} (target ≤ {report['summary']['target']})")
    return "\n".join(lines)
