"""Where the control-plane binaries are: built (once per version) by tools/controlplane/build.sh.

The project never uses whatever kubectl/etcd happen to be installed on the machine; it uses the ones
built from its own pinned Go module graph.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager", "kubectl")


def repo_root() -> Path:
    """The kubenova checkout this package lives in (it is installed editable from there)."""
    here = Path(__file__).resolve()
    for candidate in here.parents:
        if (candidate / "tools" / "controlplane" / "build.sh").is_file():
            return candidate
    cwd = Path.cwd()
    if (cwd / "tools" / "controlplane" / "build.sh").is_file():
        return cwd
    raise RuntimeError("cannot find the kubenova checkout (tools/controlplane/build.sh)")


class BuildError(RuntimeError):
    """build.sh failed; its output went to stderr."""


def ensure_binaries(root: Path | None = None) -> Path:
    """Build the control plane if needed and return the directory with its binaries.

    Build progress goes to the inherited stderr (file descriptor 2, which pytest captures).

    ``KUBENOVA_BIN_DIR`` overrides the build (e.g. binaries restored from a CI cache).
    """
    override = os.environ.get("KUBENOVA_BIN_DIR")
    if override:
        bin_dir = Path(override).resolve()
    else:
        script = (root or repo_root()) / "tools" / "controlplane" / "build.sh"
        done = subprocess.run(
            [str(script)], check=False, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True
        )
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            raise BuildError(f"{script} failed with exit code {done.returncode}")
        bin_dir = Path(lines[-1])
    missing = [b for b in BINARIES if not os.access(bin_dir / b, os.X_OK)]
    if missing:
        raise BuildError(f"{bin_dir} lacks {', '.join(missing)}")
    return bin_dir
