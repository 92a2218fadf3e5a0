"""Deployment tests: what `kubectl apply -k manifests/` installs, the image, the scripts.

Rendering uses the project's own kubectl (built from the pinned Go module graph, so its embedded
kustomize is the one the README's install command runs), without starting a control plane: the
static tests need only the binary. The tests that install into a cluster use the ``cluster``
fixture like every other cluster test.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubenova_localstack.binaries import ensure_binaries

REPO = Path(__file__).resolve().parents[2]
MANIFESTS = REPO / "manifests"
# The two entry points users apply: with real KubeVirt, and with the simulator instead.
DEFAULT = MANIFESTS
WITH_SIMULATOR = MANIFESTS / "overlays" / "simulator"

Render = Callable[[Path], list[dict[str, Any]]]


@pytest.fixture(scope="session")
def kubectl() -> Path:
    """The project's kubectl (built once per version by tools/controlplane/build.sh)."""
    return ensure_binaries() / "kubectl"


def kustomize(kubectl: Path, directory: Path) -> str:
    done = subprocess.run(
        [str(kubectl), "kustomize", str(directory)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"kubectl kustomize {directory} failed:\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="session")
def render(kubectl: Path) -> Render:
    """``render(dir)``: the objects ``kubectl kustomize dir`` produces, parsed."""
    cache: dict[Path, list[dict[str, Any]]] = {}

    def _render(directory: Path) -> list[dict[str, Any]]:
        if directory not in cache:
            cache[directory] = [d for d in yaml.safe_load_all(kustomize(kubectl, directory)) if d]
        return cache[directory]

    return _render
