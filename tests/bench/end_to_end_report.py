"""The whole ``make bench`` report as text: machine, scheduling, Nova API figures, requests, RSS."""

from __future__ import annotations

from typing import Any

from tests.bench import lifecycle_report, operator_memory


def _ms(value: float | None) -> str:
    return "   n/a" if value is None else f"{value * 1000:6.0f}"


def _s(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.2f}"


def _lat(figures: dict[str, Any]) -> str:
    lat = figures["latency"]
    return f"p50 {_s(lat['p50'])} s  p95 {_s(lat['p95'])} s  max {_s(lat['max'])} s"


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}/s"


def _missing(figures: dict[str, Any]) -> str:
    parts = []
    if figures.get("not_done"):
        parts.append(f"{figures['not_done']} not done within the timeout")
    if figures.get("errors"):
        parts.append(f"{figures['errors']} ERROR: {'; '.join(figures['faults'])}")
    return f"  ({', '.join(parts)})" if parts else ""


def _cpu(figures: dict[str, Any]) -> str:
    cpu = figures["cpu"]
    top = sorted(cpu["seconds"].items(), key=lambda item: -item[1])
    parts = ", ".join(f"{name} {seconds / max(1, figures['servers']):.2f}" for name, seconds in top)
    return f"    stack CPU per server created: {cpu['per_server']:.2f} s ({parts})"


def _requests(figures: dict[str, Any]) -> str:
    """Apiserver requests per server of a phase, per component (writes/reads, conflicts)."""
    parts = []
    for component, counts in figures["requests"]["per_server"].items():
        codes = "".join(f", {code}: {counts[code]:.2f}" for code in ("409", "422") if code in counts)
        parts.append(f"{component} {counts.get('write', 0):.1f}w/{counts.get('read', 0):.1f}r{codes}")
    metrics = figures["apiserver_metrics"]
    total = f"{metrics['write']:.1f}w/{metrics['read']:.1f}r"
    return f"    apiserver requests per server: {'; '.join(parts) or 'none'} (all clients, metrics: {total})"


def _per_vm(text: str) -> str:
    return text.replace("per server", "per VM")


def _sustained(run: dict[str, Any], unit: str, items: str, done: str) -> list[str]:
    """A sustained-rate run: verdict, latency, and its 5-s windows."""
    verdict = "keeps up" if run["keeps_up"] else "does NOT keep up"
    lines = [
        f"sustained {run['rate']:g} {unit} for {run['duration']:g} s ({run['servers']} {items}): "
        f"{verdict}; backlog growth {run['backlog_growth']}; {_lat(run)}; "
        f"{_rate(run['per_second'])} {done}{_missing(run)}",
        f"    window  created  {done:>7}  {done}/s  backlog",
    ]
    for row in run["windows"]:
        lines.append(
            f"    {row['from']:>5.0f}s  {row['created']:>7}  {row['active']:>7}  "
            f"{row['active_per_s']:>8.1f}  {row['backlog']:>7}"
        )
    return lines


def machine_text(machine: dict[str, Any]) -> str:
    load = machine.get("load_average")
    return (
        f"machine: {machine['nproc']} CPUs ({machine['cpu_model']}), {machine['memory_mib']} MiB, "
        f"Python {machine['python']}, {machine['date']}"
        + (f", load average at start {load[0]:.2f}" if load else "")
    )


def scheduling_text(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "scheduling decision (PlacementLedger.place: per-host totals, filters, weighers, claim), median/p90:"
    ]
    for row in rows:
        lines.append(
            f"  {row['hosts']:>5} hosts, {row['servers']:>6} placed servers: "
            f"{row['median_ms']:8.2f} ms / {row['p90_ms']:8.2f} ms, peak {row['peak_kib']} KiB"
        )
    return lines


def inprocess_list_text(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["GET /servers/detail in-process (list service + views + JSON), p50 / p95:"]
    for row in rows:
        first = f", first {row['first_ms']:.1f} ms" if "first_ms" in row else ""  # (older reports lack it)
        memos = f", list memos {row['memo_mib']} MiB" if "memo_mib" in row else ""
        lines.append(
            f"  {row['servers']:>6} servers, limit {row['limit']}: {row['p50_ms']:8.1f} ms / "
            f"{row['p95_ms']:8.1f} ms (CPU p50 {row['cpu_p50_ms']:.1f} ms{first}), "
            f"cache {row['cache_mib']} MiB (both projects){memos}, "
            f"request peak {row['request_peak_mib']} MiB"
        )
    return lines


def nova_text(report: dict[str, Any]) -> list[str]:
    lines = ["create → ACTIVE, bursts (server in flight from POST to ACTIVE):"] if report["bursts"] else []
    for burst in report["bursts"]:
        lines.append(
            f"  {burst['servers']} servers, {burst['in_flight']:>3} in flight: {_lat(burst)}  "
            f"{_rate(burst['per_second'])} ACTIVE  POST p50 {_s(burst['post']['p50'])} s{_missing(burst)}"
        )
        lines += [_cpu(burst), _requests(burst)]
        gone = burst["delete"]
        lines.append(
            f"    delete → gone, {gone['in_flight']:>3} in flight: {_lat(gone)}  {_rate(gone['per_second'])}"
            f" gone  DELETE p50 {_s(gone['delete']['p50'])} s{_missing(gone)}"
        )
        lines.append("  " + _requests(gone))
    lines += bare_kubevirt_text(report)
    for run in report["sustained"]:
        lines += _sustained(run, "creates/s", "servers", "ACTIVE")
        lines += [_cpu(run), _requests(run)]
        gone = run["delete"]
        lines.append(
            f"    delete → gone, {gone['in_flight']} in flight: {_lat(gone)}  {_rate(gone['per_second'])}"
        )
        lines.append("  " + _requests(gone))
    for run in report.get("bare_kubevirt_sustained") or []:
        lines += ["bare KubeVirt, no kubenova:", *_sustained(run, "VMs/s", "VMs", "Running")]
        lines += [_cpu(run).replace("per server created", "per VM"), _per_vm(_requests(run))]
        gone = run["delete"]
        lines.append(f"    delete → VM gone: {_lat(gone)}  {_rate(gone['per_second'])}{_missing(gone)}")
    if report["list"]:
        lines.append("GET /servers/detail (one page), sequential requests:")
    for row in report["list"]:
        lat = row["latency"]
        fill = row["fill"]
        lines.append(
            f"  at {row['servers']:>5} servers ({row['vmis_running']} VMIs Running), "
            f"limit={row['limit']} ({row['items']} returned): "
            f"p50 {_ms(lat['p50'])} ms  p95 {_ms(lat['p95'])} ms  max {_ms(lat['max'])} ms"
            f"   (filled in {fill['wall_seconds']:.0f} s, {_rate(fill['per_second'])}{_missing(fill)})"
        )
        lines += [_cpu(fill), _requests(fill)]
        if row.get("rss_mib"):
            lines.append("    VmRSS: " + ", ".join(f"{n} {mib} MiB" for n, mib in row["rss_mib"].items()))
        if row.get("idle"):
            idle = row["idle"]
            used = ", ".join(
                f"{n} {s:.2f}" for n, s in sorted(idle["cpu_seconds"].items(), key=lambda i: -i[1])
            )
            lines.append(f"    idle {idle['seconds']:g} s, CPU-seconds: {used}")
    rss = report.get("rss_mib") or {}
    shown = ", ".join(f"{name} {mib} MiB" for name, mib in rss.items() if name != "servers")
    lines.append(f"resident memory (VmRSS) at {rss.get('servers', 0)} servers: {shown}")
    return lines


CONTROL_PLANE = ("kube-apiserver", "etcd", "kube-controller-manager")


def _per_unit(figures: dict[str, Any], names: tuple[str, ...]) -> float:
    seconds = figures["cpu"]["seconds"]
    return sum(seconds.get(name, 0.0) for name in names) / max(1, figures["servers"])


def bare_kubevirt_text(report: dict[str, Any]) -> list[str]:
    """The bare KubeVirt bursts, the ceiling they put on VMs/s, and what a server costs on top."""
    bare = report.get("bare_kubevirt") or []
    lines = ["bare KubeVirt (VMs created through the Kubernetes API, kubenova not involved):"] if bare else []
    cores = (report.get("machine") or {}).get("nproc") or 1
    by_flight = {burst["in_flight"]: burst for burst in report["bursts"]}
    for run in bare:
        lines.append(
            f"  {run['servers']} VMs, {run['in_flight']:>3} in flight: create → VMI Running {_lat(run)}  "
            f"{_rate(run['per_second'])} Running{_missing(run)}"
        )
        lines += [_cpu(run).replace("per server created", "per VM"), _per_vm(_requests(run))]
        floor = _per_unit(run, CONTROL_PLANE)
        floor_with_kubevirt = floor + _per_unit(run, ("kubevirt-simulator",))
        ceiling = f"{cores / floor:.1f}" if floor else "n/a"
        lines.append(
            f"    control plane CPU per VM {floor:.3f} s (+ the simulator: {floor_with_kubevirt:.3f} s): "
            f"at most {ceiling} VMs/s on {cores} cores with every other process free"
        )
        server = by_flight.get(run["in_flight"])
        if server is not None:
            added = server["cpu"]["per_server"] - run["cpu"]["per_server"]
            lines.append(f"    a server through the Nova API costs {added:+.3f} CPU-s more than a bare VM")
        gone = run["delete"]
        lines.append(f"    delete → VM gone: {_lat(gone)}  {_rate(gone['per_second'])}{_missing(gone)}")
        lines.append("  " + _per_vm(_requests(gone)))
    return lines


def text(report: dict[str, Any]) -> str:
    lines = [machine_text(report["machine"])]
    if report.get("scheduling"):
        lines += ["", *scheduling_text(report["scheduling"])]
    if report.get("inprocess_list"):
        lines += ["", *inprocess_list_text(report["inprocess_list"])]
    if report.get("operator_memory"):
        lines += ["", *operator_memory.text(report["operator_memory"])]
    if "requests" in report:
        lines += ["", "apiserver requests per server lifecycle:", lifecycle_report.text(report["requests"])]
    if "bursts" in report:
        lines += ["", *nova_text(report)]
        took = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in report["seconds"].items())
        lines += ["", f"wall time: {took}"]
    return "\n".join(lines)
