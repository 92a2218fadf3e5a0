"""The bench's pure arithmetic: percentiles, per-window rates and backlog, audit-log windows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.bench.audit_window import AuditWindow
from tests.bench.bench_stats import percentile, summary, windows


def test_percentiles_are_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert percentile(samples, 50) == 50
    assert percentile(samples, 95) == 95
    assert percentile([3.0], 95) == 3.0
    assert summary([2.0, 1.0, 4.0, 3.0]) == {"count": 4, "p50": 2.0, "p95": 4.0, "max": 4.0}
    assert summary([]) == {"count": 0, "p50": None, "p95": None, "max": None}


def test_windows_count_creates_active_and_backlog() -> None:
    issued = [0.0, 1.0, 2.0, 6.0, 7.0]
    done = [1.5, 8.0, 9.0, 11.0]  # one server never became ACTIVE
    rows = windows(0.0, issued, done, end=11.0)
    assert [(r["from"], r["created"], r["active"], r["backlog"]) for r in rows] == [
        (0.0, 3, 1, 2),
        (5.0, 2, 2, 2),
        (10.0, 0, 1, 1),
    ]
    assert rows[0]["active_per_s"] == pytest.approx(0.2)


def _event(audit_id: str, user: str, verb: str, resource: str, code: int = 200, **extra: Any) -> bytes:
    event = {
        "auditID": audit_id,
        "stage": "ResponseStarted" if verb == "watch" else "ResponseComplete",
        "verb": verb,
        "user": {"username": user},
        "userAgent": user,
        "objectRef": {"resource": resource, "namespace": "admin", "name": "x", **extra},
        "responseStatus": {"code": code},
        "requestReceivedTimestamp": "2026-12-06T17:00:00.000000Z",
    }
    return json.dumps(event).encode() + b"\n"


def test_an_audit_window_counts_only_what_was_logged_inside_it(tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    log.write_bytes(_event("before", "kubenova-operator", "patch", "servers"))
    window = AuditWindow(log)
    window.open()
    with log.open("ab") as handle:
        handle.write(_event("a", "kubenova-gateway", "create", "servers", apiGroup="compute.kubenova.io"))
        handle.write(_event("b", "kubenova-operator", "patch", "servers", 409, subresource="status"))
        handle.write(_event("c", "kubenova-operator", "watch", "virtualmachines"))
        handle.write(_event("d", "kubenova-bench", "get", "servers"))  # the bench's own: left out
        handle.write(_event("e", "kubevirt-simulator", "patch", "leases", apiGroup="coordination.k8s.io"))
        handle.write(_event("f", "kubenova-operator", "create", "events")[:-1])  # not complete yet
    counted = window.close(servers=2)
    assert counted["per_server"] == {
        "gateway": {"write": 0.5, "read": 0.0, "other": 0.0},
        "operator": {"write": 0.5, "read": 0.5, "other": 0.0, "409": 0.5},
    }
    assert {(t["verb"], t["resource"]) for t in counted["top"]} == {
        ("create", "servers.compute.kubenova.io"),
        ("patch", "servers/status"),
        ("watch", "virtualmachines"),
    }
