"""A short run of ``make bench`` (the command line, every part) so the bench cannot rot.

It starts a stack of its own (control plane with the audit log, simulator, operator, gateway) and
runs every phase with tiny counts: the request counts per lifecycle (one server, then two at once),
a burst of 5 with 2 in flight and their deletion, 2 creates/s for 3 s, a list at 10 servers. It
checks that the report has every figure, that the figures are sane (counts add up, percentiles are
ordered) and that the servers really became Running VMIs. Nothing depends on timings: the figures
are the bench's business, not this test's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kubenova_localstack.stack import existing_cluster_requested
from tests.bench import __main__ as bench
from tests.bench import end_to_end_report, lifecycle_report

pytestmark = pytest.mark.cluster

SERVERS = "servers.compute.kubenova.io"
ARGS = (
    "--repeat 1 --servers 1 --burst 2 --settle 1 --baseline 1 --burst-size 5 --in-flight 2 --rates 2 "
    "--rate-seconds 3 --list-at 10 --list-repeat 3 --idle-seconds 1 --pause 0.5 --timeout 120 "
    "--inprocess-list-at 20 --inprocess-list-repeat 2"
)


def _sane(latency: dict[str, Any], count: int) -> None:
    assert latency["count"] == count
    assert 0 < latency["p50"] <= latency["p95"] <= latency["max"]


def _requests(report: dict[str, Any]) -> None:
    """The request counts per lifecycle: shape, attribution, the driver's requests left out."""
    scenarios = report["scenarios"]
    assert set(scenarios) == {"sequential.create", "sequential.delete", "burst.create", "burst.delete"}
    assert [scenarios[s]["servers"] for s in ("sequential.create", "burst.create")] == [1, 2]
    for name, scenario in scenarios.items():
        assert "bench" not in scenario["per_server"], name  # the driver's own requests are left out ...
        assert scenario["excluded"]["bench"] >= 2, name  # ... and counted: at least its two markers
        totals = scenario["totals_per_server"]
        assert totals["operator"]["write"] > 0, name
        own = totals["operator"]["write"] + totals.get("gateway", {}).get("write", 0.0)
        assert scenario["kubenova_writes_per_server"] == pytest.approx(own, abs=0.01), name
        assert len(scenario["kubenova_writes_each_phase"]) == scenario["phases"]
    create = scenarios["sequential.create"]["per_server"]
    assert create["gateway"]["write"]["create"][SERVERS] == 1  # exactly the one POST /servers
    assert create["simulator"]["write"], "the simulator writes VMI status while the server builds"
    assert scenarios["burst.create"]["per_server"]["gateway"]["write"]["create"][SERVERS] == 1
    for name in ("sequential.delete", "burst.delete"):
        assert scenarios[name]["totals_per_server"]["gateway"]["write"] >= 1, name  # the DELETE
    assert report["baseline"] is not None
    assert report["baseline"]["phases"] == 1
    headline = report["summary"]["kubenova_writes_per_create_to_active"]
    assert headline == scenarios["sequential.create"]["kubenova_writes_per_server"]
    assert f"kubenova writes per create→ACTIVE: {headline:.2f} (target ≤ 6)" in lifecycle_report.text(report)


def test_a_short_bench_reports_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if existing_cluster_requested():
        pytest.skip("the bench starts a control plane of its own, with the audit log on")
    path = tmp_path / "bench.json"
    assert bench.main([*ARGS.split(), "--state-dir", str(tmp_path / "state"), "--json", str(path)]) == 0
    report = json.loads(path.read_text())

    assert {"nproc", "memory_mib", "cpu_model", "python", "date"} <= set(report["machine"])
    hosts = [row["hosts"] for row in report["scheduling"]]
    assert hosts[0] == 3
    assert hosts[-1] == 1000
    assert all(row["median_ms"] > 0 for row in report["scheduling"])
    assert [row["servers"] for row in report["inprocess_list"]] == [20]
    _requests(report["requests"])

    [burst] = report["bursts"]
    assert (burst["servers"], burst["in_flight"], burst["not_done"], burst["errors"]) == (5, 2, 0, 0)
    _sane(burst["latency"], 5)
    _sane(burst["post"], 5)
    assert burst["per_second"] > 0
    assert burst["cpu"]["per_server"] > 0
    assert burst["cpu"]["seconds"]["kube-apiserver"] > 0
    requests = burst["requests"]["per_server"]  # the audit log between the phase's two ends
    assert requests["gateway"]["write"] >= 1  # at least its POST /servers
    assert requests["operator"]["write"] > 0
    assert requests["simulator"]["write"] > 0
    assert burst["delete"]["requests"]["per_server"]["gateway"]["write"] >= 1  # the DELETE
    audit_writes = sum(c["write"] for c in requests.values())
    assert burst["apiserver_metrics"]["write"] >= audit_writes  # the apiserver counts them all too
    _sane(burst["delete"]["latency"], 5)
    assert burst["delete"]["not_done"] == 0

    [bare] = report["bare_kubevirt"]  # the same burst as plain KubeVirt VMs, kubenova not involved
    assert (bare["servers"], bare["in_flight"], bare["not_done"]) == (5, 2, 0)
    _sane(bare["latency"], 5)  # each VM's VMI was seen Running
    bare_requests = bare["requests"]["per_server"]
    assert bare_requests["simulator"]["write"] > 0
    assert "gateway" not in bare_requests
    assert bare_requests.get("operator", {}).get("write", 0) == 0  # the operator leaves them alone
    assert bare["cpu"]["seconds"]["kube-apiserver"] > 0
    _sane(bare["delete"]["latency"], 5)
    assert "bare KubeVirt (VMs created through the Kubernetes API" in end_to_end_report.text(report)

    [sustained] = report["sustained"]
    assert (sustained["rate"], sustained["servers"], sustained["not_done"]) == (2, 6, 0)
    _sane(sustained["latency"], 6)
    windows = sustained["windows"]
    assert sum(w["created"] for w in windows) == sum(w["active"] for w in windows) == 6
    assert windows[-1]["backlog"] == 0
    assert isinstance(sustained["keeps_up"], bool)
    _sane(sustained["delete"]["latency"], 6)

    [bare_rate] = report["bare_kubevirt_sustained"]
    assert (bare_rate["rate"], bare_rate["servers"], bare_rate["not_done"]) == (2, 6, 0)
    assert sum(w["active"] for w in bare_rate["windows"]) == 6  # every VMI seen Running
    _sane(bare_rate["delete"]["latency"], 6)

    [listed] = report["list"]
    assert (listed["servers"], listed["items"], listed["limit"]) == (10, 10, 1000)
    assert listed["vmis_running"] == 10  # what the servers became, not only what the API says
    _sane(listed["latency"], 3)
    assert listed["fill"]["latency"]["count"] == 10
    assert listed["rss_mib"]["operator"] > 0  # memory at each list count, not only the largest
    assert listed["idle"]["seconds"] == 1
    assert "operator" in listed["idle"]["cpu_seconds"]

    rss = report["rss_mib"]
    assert rss["servers"] == 10
    for process in ("operator", "gateway", "kubevirt-simulator", "kube-apiserver"):
        assert rss[process] > 0, process

    shown = capsys.readouterr().out
    assert end_to_end_report.text(report) in shown
    for line in (
        "stack CPU per server created",
        "create → ACTIVE, bursts",
        "sustained 2 creates/s",
        "GET /servers/detail",
        "VmRSS",
    ):
        assert line in shown, line
