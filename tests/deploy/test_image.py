"""The container image's contract, checked without a container engine: the entrypoint dispatches
to each component, the build context holds everything the Dockerfile copies, and the image's user
is the one the manifests run as."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import REPO, WITH_SIMULATOR, Render

ENTRYPOINT = REPO / "hack" / "container-entrypoint.sh"
DOCKERFILE = (REPO / "Dockerfile").read_text()


def _entrypoint(*args: str) -> subprocess.CompletedProcess[str]:
    # In the image the venv's bin is first on PATH; here the test's interpreter plays that venv.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("component", "prog"),
    [
        ("operator", "python -m kubenova"),
        ("gateway", "kubenova_api"),
        ("bootstrap", "--admin-password"),
        ("simulator", "kubevirt_simulator"),
    ],
)
def test_entrypoint_runs_each_component(component: str, prog: str) -> None:
    done = _entrypoint(component, "--help")
    assert done.returncode == 0, done.stderr
    assert prog in done.stdout


@pytest.mark.parametrize("args", [(), ("nova-compute",)], ids=["none", "unknown"])
def test_entrypoint_refuses_a_missing_or_unknown_component(args: tuple[str, ...]) -> None:
    done = _entrypoint(*args)
    assert done.returncode == 2
    assert "usage: kubenova COMPONENT" in done.stderr


def _dockerignore_includes(path: str) -> bool:
    """The .dockerignore is an allow-list: ``*`` then ``!path`` exceptions (later lines win)."""
    included = True
    for raw in (REPO / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.removeprefix("!").rstrip("/")
        if pattern in ("*", path) or path.startswith(pattern + "/"):
            included = negate
    return included


def test_build_context_holds_everything_the_dockerfile_copies() -> None:
    sources: list[str] = []
    for match in re.finditer(r"^COPY\s+(?!--from)(?:--\S+\s+)*(.+)$", DOCKERFILE, re.MULTILINE):
        *paths, _destination = match.group(1).split()
        sources.extend(p.rstrip("/") for p in paths)
    assert "requirements.txt" in sources
    assert "hack/container-entrypoint.sh" in sources
    for source in sources:
        assert (REPO / source).exists(), source
        assert _dockerignore_includes(source), f".dockerignore leaves out {source}"
    for private in (".venv", ".state", ".git", "tests"):
        assert not _dockerignore_includes(private), private


def test_base_image_is_pinned_and_the_user_matches_the_manifests(render: Render) -> None:
    (base,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, re.MULTILINE)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base), base
    (user,) = re.findall(r"^USER (\d+):(\d+)$", DOCKERFILE, re.MULTILINE)
    assert user[0] != "0"
    assert "HEALTHCHECK" not in re.sub(r"#.*", "", DOCKERFILE)
    for obj in render(WITH_SIMULATOR):
        if obj["kind"] in ("Deployment", "Job"):
            context = obj["spec"]["template"]["spec"]["securityContext"]
            assert (str(context["runAsUser"]), str(context["runAsGroup"])) == user, obj["metadata"]["name"]
