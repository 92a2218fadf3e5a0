"""A short run of ``make bench``'s lifecycle part: the report has its shape and counts are attributed.

It starts a stack of its own (control plane with the audit log, simulator, operator, gateway), so
it checks the whole measurement end to end: one server one at a time, two at once. Nothing here
depends on timings; the figures themselves are the bench's business, not this test's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubenova_localstack.stack import existing_cluster_requested
from tests.bench import lifecycle, lifecycle_report

pytestmark = pytest.mark.cluster

SERVERS = "servers.compute.kubenova.io"


def test_requests_are_counted_per_component_and_phase(tmp_path: Path) -> None:
    if existing_cluster_requested():
        pytest.skip("the bench starts a control plane of its own, with the audit log on")
    options = lifecycle.Options(servers=1, burst=2, settle=1.0, baseline=1.0)
    report = lifecycle.run(options, tmp_path / "stack", log=lambda _: None)
    written = json.loads(lifecycle.write_json(report, tmp_path / "requests.json").read_text())
    assert written == report

    scenarios = report["scenarios"]
    assert set(scenarios) == {"sequential.create", "sequential.delete", "burst.create", "burst.delete"}
    assert [scenarios[s]["servers"] for s in ("sequential.create", "burst.create")] == [1, 2]
    for name, scenario in scenarios.items():
        per_server = scenario["per_server"]
        assert "bench" not in per_server, name  # the driver's own requests are left out ...
        assert scenario["excluded"]["bench"] >= 2, name  # ... and counted: at least its two markers
        totals = scenario["totals_per_server"]
        assert totals["operator"]["write"] > 0, name
        own = totals["operator"]["write"] + totals.get("gateway", {}).get("write", 0.0)
        assert scenario["kubenova_writes_per_server"] == pytest.approx(own, abs=0.01), name
        assert len(scenario["kubenova_writes_each_phase"]) == scenario["phases"]

    create = scenarios["sequential.create"]["per_server"]
    assert create["gateway"]["write"]["create"][SERVERS] == 1  # exactly the one POST /servers
    assert create["simulator"]["write"], "the simulator writes VMI status while the server builds"
    burst = scenarios["burst.create"]["per_server"]
    assert burst["gateway"]["write"]["create"][SERVERS] == 1  # two creates for two servers
    for name in ("sequential.delete", "burst.delete"):
        assert scenarios[name]["totals_per_server"]["gateway"]["write"] >= 1, name  # the DELETE

    baseline = report["baseline"]
    assert baseline is not None
    assert baseline["phases"] == 1
    headline = report["summary"]["kubenova_writes_per_create_to_active"]
    assert headline == scenarios["sequential.create"]["kubenova_writes_per_server"]
    assert f"kubenova writes per create→ACTIVE: {headline:.2f} (target ≤ 6)" in lifecycle_report.text(report)
