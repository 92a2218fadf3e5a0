"""The in-process operator-memory part of ``make bench`` (``--only operator-memory``): it runs,
reports every figure, and what it measures is what the operator's real index functions keep for
realistic bodies (a Server, its VM, VMI and root DataVolume, with managedFields). No cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bench import __main__ as bench
from tests.bench import end_to_end_report, operator_bodies, operator_memory


def test_the_bodies_are_a_servers_watched_objects() -> None:
    texts = {
        kind: [json.loads(t) for t in bodies] for kind, bodies in operator_bodies.server_texts(10).items()
    }
    assert [len(texts[kind]) for kind in operator_bodies.KINDS] == [1, 1, 1, 1]
    server, vm, vmi, dv = (texts[kind][0] for kind in operator_bodies.KINDS)
    assert server["status"]["status"] == "ACTIVE"
    assert vm["status"]["printableStatus"] == "Running"
    assert vmi["status"]["phase"] == "Running"
    assert dv["status"]["phase"] == "Succeeded"
    for body in (server, vm, vmi, dv):
        assert body["metadata"]["managedFields"]
        assert body["metadata"]["resourceVersion"]
    name = vm["metadata"]["name"]
    for body in (vm, vmi, dv):
        assert body["metadata"]["labels"]["compute.kubenova.io/server"] == name


def test_only_operator_memory_reports_per_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bench.json"
    assert bench.main(["--only", "operator-memory", "--operator-memory-at", "20", "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    assert set(report) == {"machine", "operator_memory"}
    (row,) = report["operator_memory"]
    assert row["servers"] == 20
    assert set(row["per_server_kib"]) == set(operator_bodies.KINDS)
    for figures in row["per_server_kib"].values():
        assert figures["indexed_kib"] > 0
        assert figures["raw_kib"] > figures["raw_unmanaged_kib"] > 0
    assert row["indexed_mib"] > 0
    assert row["kopf_memory_kib_per_server"] > 0
    assert end_to_end_report.text(report) in capsys.readouterr().out
    assert operator_memory.text(report["operator_memory"])[1].startswith("      20 servers")
