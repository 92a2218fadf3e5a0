"""An optional kube-apiserver audit log, to count what every client asks the apiserver (``make bench``).

Off by default: auditing every request costs the apiserver time, and tests do not need it. When on,
every resource request is logged at level ``Metadata`` (who, verb, resource, name, response code; no
bodies) as one JSON line per stage, in ``audit/audit.log`` under the control plane's state
directory. The stage ``RequestReceived`` is omitted (it duplicates ``ResponseComplete``); health,
metrics, OpenAPI and version probes are not logged at all. The backend is the log file in blocking
mode, so an event is in the file when its response is sent; no rotation (the file lives as long as
the throw-away control plane).
"""

from __future__ import annotations

import json
from pathlib import Path

# Non-resource paths polled by readiness checks and clients' discovery caches: noise, not workload.
QUIET_PATHS = ("/healthz*", "/readyz*", "/livez*", "/metrics", "/openapi/*", "/version", "/version/")

POLICY: dict[str, object] = {
    "apiVersion": "audit.k8s.io/v1",
    "kind": "Policy",
    "omitStages": ["RequestReceived"],
    "rules": [
        {"level": "None", "nonResourceURLs": list(QUIET_PATHS)},
        {"level": "Metadata"},
    ],
}


def audit_dir(state_dir: Path) -> Path:
    return state_dir / "audit"


def audit_log_path(state_dir: Path) -> Path:
    """Where the apiserver of a control plane with ``state_dir`` writes its audit events."""
    return audit_dir(state_dir) / "audit.log"


def apiserver_audit_args(state_dir: Path) -> list[str]:
    """Write the policy into ``state_dir/audit/`` and return the kube-apiserver flags that use it."""
    directory = audit_dir(state_dir)
    directory.mkdir(parents=True, exist_ok=True)
    policy = directory / "policy.json"  # JSON is YAML: the apiserver reads either
    policy.write_text(json.dumps(POLICY, indent=2) + "\n")
    return [
        f"--audit-policy-file={policy}",
        f"--audit-log-path={audit_log_path(state_dir)}",
        "--audit-log-format=json",
        "--audit-log-mode=blocking",
        "--audit-log-maxsize=0",
        "--audit-log-maxbackup=0",
    ]
