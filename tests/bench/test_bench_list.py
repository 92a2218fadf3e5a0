"""The in-process part of ``make bench`` (``--only list``): it runs, reports every figure, and the
list it times is a real answer (every server of the project, none of the other project's), so the
benchmark cannot time an empty or failing request. No cluster; nothing depends on timings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bench import __main__ as bench
from tests.bench import end_to_end_report, server_list


def test_the_timed_request_lists_the_projects_servers() -> None:
    store = server_list.filled_store(60)
    body = json.loads(server_list.list_request(store, limit=1000)())
    servers = body["servers"]
    assert len(servers) == 60
    assert {s["tenant_id"] for s in servers} == {server_list.PROJECT_ID}
    assert {s["status"] for s in servers} == {"ACTIVE", "BUILD", "ERROR", "SHUTOFF"}
    assert "servers_links" not in body
    page = json.loads(server_list.list_request(store, limit=25)())
    assert len(page["servers"]) == 25
    assert page["servers_links"][0]["rel"] == "next"


def test_only_list_reports_latency_and_memory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bench.json"
    argv = ["--only", "list", "--inprocess-list-at", "10", "30", "--inprocess-list-repeat", "3"]
    assert bench.main([*argv, "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    assert set(report) == {"machine", "inprocess_list"}
    rows = report["inprocess_list"]
    assert [row["servers"] for row in rows] == [10, 30]
    for row in rows:
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["max_ms"]
        assert row["repeat"] == 3
        assert row["cache_mib"] > 0
        assert row["memo_mib"] >= 0
        assert row["first_ms"] > 0
        assert row["body_kib"] > 0
    assert end_to_end_report.text(report) in capsys.readouterr().out
