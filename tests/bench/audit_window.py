"""Apiserver requests of one Nova API phase, by component, verb and resource, from the audit log.

The lifecycle part (``lifecycle_report``) keeps every request and cuts phases with markers; the Nova
API phases make far more requests (thousands of servers), so here a phase is the stretch of the log
written between two byte offsets, counted as it is read and not kept. The log is written in blocking
mode, so a request is in it when its answer has been sent; the workload pauses after each phase, so
its trailing work (last status patches, Events) lands in it. A watch counts once (when it starts).
Left out, as in the lifecycle part: the bench's own requests and heartbeats.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench.audit_events import BENCH, to_request

CODES = (409, 422)
TOP = 15


@dataclass
class AuditWindow:
    path: Path
    start: int = 0

    def open(self) -> None:
        """Start a window at the log's current end."""
        self.start = self.path.stat().st_size

    def close(self, servers: int) -> dict[str, Any]:
        """Count what was logged since :meth:`open`, per server handled in the phase."""
        counts: Counter[tuple[str, str, str, str]] = Counter()  # component, kind, verb, resource
        codes: Counter[tuple[str, int]] = Counter()
        with self.path.open("rb") as handle:
            handle.seek(self.start)
            for line in handle:
                if not line.endswith(b"\n"):
                    break
                event = json.loads(line)
                stage = event.get("stage")
                first = "ResponseStarted" if event.get("verb") == "watch" else "ResponseComplete"
                if stage != first or "requestReceivedTimestamp" not in event:
                    continue
                request = to_request(event)
                if request.component in (BENCH, "kube-apiserver") or request.heartbeat:
                    continue
                counts[(request.component, request.kind, request.verb, request.resource)] += 1
                if request.code in CODES:
                    codes[(request.component, request.code)] += 1
        divisor = max(1, servers)
        totals: dict[str, dict[str, float]] = {}
        for (component, kind, _, _), n in counts.items():
            bucket = totals.setdefault(component, {"write": 0.0, "read": 0.0, "other": 0.0})
            bucket[kind] = round(bucket[kind] + n / divisor, 3)
        for (component, code), n in codes.items():
            totals.setdefault(component, {})[str(code)] = round(n / divisor, 3)
        top = [
            {"component": c, "kind": k, "verb": v, "resource": r, "per_server": round(n / divisor, 3)}
            for (c, k, v, r), n in counts.most_common(TOP)
        ]
        return {"servers": servers, "per_server": dict(sorted(totals.items())), "top": top}
