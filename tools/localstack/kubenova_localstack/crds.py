"""Install kubenova's CRDs (``crds/*.yaml``) with the project's kubectl and wait until served.

kubectl does the YAML parsing and server-side apply, which keeps this package free of a YAML
library and behaves exactly like a user installing the CRDs by hand.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path


class CRDError(RuntimeError):
    """kubectl could not apply the CRDs or they never became Established."""


def crd_files(crd_dir: Path) -> list[Path]:
    return sorted(p for p in crd_dir.glob("*.yaml") if p.is_file())


def _kubectl(kubectl: Path, env: Mapping[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(kubectl), *args],
        check=False,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=180,
    )
    if done.returncode != 0:
        raise CRDError(f"kubectl {' '.join(args)} failed ({done.returncode}):\n{done.stderr.strip()}")
    return done.stdout


def apply_crds(kubectl: Path, env: Mapping[str, str], crd_dir: Path, *, timeout: float = 60) -> list[str]:
    """Apply every ``*.yaml`` in ``crd_dir`` and wait for each CRD to be Established.

    Returns the CRD names (e.g. ``servers.compute.kubenova.io``); an empty directory is fine.
    ``env`` must carry the ``KUBECONFIG`` to use.
    """
    files = crd_files(crd_dir)
    if not files:
        return []
    file_args = [arg for f in files for arg in ("-f", str(f))]
    out = _kubectl(
        kubectl,
        env,
        "apply",
        "--server-side",
        "--force-conflicts",
        "--field-manager=kubenova-localstack",
        "-o",
        "name",
        *file_args,
    )
    names = [line.split("/", 1)[1] for line in out.split() if line.startswith("customresourcedefinition")]
    if names:
        _kubectl(
            kubectl,
            env,
            "wait",
            "--for=condition=Established",
            f"--timeout={int(timeout)}s",
            *(f"customresourcedefinition/{n}" for n in names),
        )
    return names
