"""Install kubenova's admission policies (the kustomization ``manifests/admission/``): Nova's rules
on the kubectl path, as ValidatingAdmissionPolicies. Applied after the CRDs, as
``kubectl apply -k manifests/`` installs them on a real cluster, and waited for until the API
server has type-checked each policy against the CRDs (the kube-controller-manager's
validatingadmissionpolicy-status-controller reports it)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path

from kubenova_localstack.crds import CRDError, _kubectl


def admission_dir(root: Path) -> Path:
    return root / "manifests" / "admission"


def apply_admission(
    kubectl: Path, env: Mapping[str, str], policy_dir: Path, *, timeout: float = 60
) -> list[str]:
    """Apply the kustomization ``policy_dir``; returns the ValidatingAdmissionPolicy names once
    the API server has type-checked each (``status.observedGeneration``) without warnings."""
    if not (policy_dir / "kustomization.yaml").is_file():
        return []
    out = _kubectl(
        kubectl, env, "apply", "--server-side", "--force-conflicts", "--field-manager=kubenova-localstack",
        "-o", "name", "-k", str(policy_dir),
    )  # fmt: skip
    names = [line.split("/", 1)[1] for line in out.split() if line.startswith("validatingadmissionpolicy.")]
    deadline = time.monotonic() + timeout
    for name in names:
        while True:
            shown = _kubectl(kubectl, env, "get", f"validatingadmissionpolicy/{name}", "-o", "json")
            policy = json.loads(shown)
            status = policy.get("status") or {}
            if status.get("observedGeneration") == policy["metadata"].get("generation"):
                break
            if time.monotonic() > deadline:
                raise CRDError(f"admission policy {name} was not type-checked within {timeout:.0f}s")
            time.sleep(0.2)
        warnings = (status.get("typeChecking") or {}).get("expressionWarnings")
        if warnings:
            raise CRDError(f"admission policy {name} does not type-check: {warnings}")
    return names
