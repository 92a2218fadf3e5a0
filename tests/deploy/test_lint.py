"""Linters over the deployment files: hadolint (Dockerfile), shellcheck (hack/*.sh), and the
Kubernetes 1.36 OpenAPI schemas (kubernetes-validate, strict: unknown fields are errors) over
everything kustomize renders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate  # type: ignore[import-untyped]
import pytest

from tests.deploy.conftest import DEFAULT, REPO, WITH_SIMULATOR, Render

# The control plane the project builds (tools/controlplane/go.mod) is 1.36.
KUBERNETES_VERSION = "1.36.0"


def _tool(name: str) -> str:
    """A linter installed in the venv next to this interpreter (requirements-dev.txt)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is missing: it is pinned in requirements-dev.txt (make venv)"
    return found


def test_dockerfile_passes_hadolint() -> None:
    done = subprocess.run(
        [_tool("hadolint"), "--no-color", "Dockerfile"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_shell_scripts_pass_shellcheck() -> None:
    scripts = sorted(str(p.relative_to(REPO)) for p in (REPO / "hack").glob("*.sh"))
    assert "hack/e2e-kind.sh" in scripts
    done = subprocess.run(
        [_tool("shellcheck"), "--severity=style", "--external-sources", *scripts],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("entry", [DEFAULT, WITH_SIMULATOR], ids=["default", "with-simulator"])
def test_every_rendered_object_is_valid_for_kubernetes(render: Render, entry: Path) -> None:
    objects = render(entry)
    assert objects
    failures = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            failures.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {list(exc.path)}")
    assert not failures, "\n".join(failures)
