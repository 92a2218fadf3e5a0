"""DevStack-style defaults of the local stack: the m1.* flavors and a CirrOS image, created at start.

The objects are ``manifests/defaults/*.yaml``. They are created if absent and never updated: an
object that already exists (from an earlier start on the same cluster, or edited by an
administrator) is kept as it is. ``KUBENOVA_NO_DEFAULTS=1`` or ``run --no-defaults`` skips them.

The network needs no object: the gateway's Neutron minimum always shows one network, and the
stack gives the gateway and the operator the same name for it (``private``, like DevStack's).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

NETWORK_NAME = "private"
NETWORK_ENV = ("KUBENOVA_API_NETWORK_NAME", "KUBENOVA_NETWORK_LABEL")  # gateway, operator
NO_DEFAULTS_ENV = "KUBENOVA_NO_DEFAULTS"
_ALREADY_EXISTS = re.compile(r'\(AlreadyExists\).*?"([^"]+)" already exists')


class DefaultsError(RuntimeError):
    """kubectl could not create the defaults (other than because they already exist)."""


@dataclass(frozen=True)
class DefaultsResult:
    """``kind/name`` of the objects created now, and of those that existed and were left alone."""

    created: list[str]
    kept: list[str]

    def summary(self) -> str:
        parts = []
        if self.created:
            parts.append(f"created {', '.join(self.created)}")
        if self.kept:
            parts.append(f"kept as they were {', '.join(self.kept)}")
        return "; ".join(parts) or "none defined"


def skipped_by_environment(environ: Mapping[str, str] | None = None) -> bool:
    value = (os.environ if environ is None else environ).get(NO_DEFAULTS_ENV, "")
    return value.strip().lower() not in ("", "0", "false", "no")


def default_files(defaults_dir: Path) -> list[Path]:
    return sorted(p for p in defaults_dir.glob("*.yaml") if p.is_file())


def default_objects(defaults_dir: Path) -> list[str]:
    """``kind/name`` (kind lower-case) of every object the defaults define, in file order."""
    names = []
    for path in default_files(defaults_dir):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict):
                names.append(f"{str(doc['kind']).lower()}/{doc['metadata']['name']}")
    return names


def network_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The one network name for gateway and operator: the first of theirs that is set, or ours."""
    name = next((environ[key] for key in NETWORK_ENV if environ.get(key)), NETWORK_NAME)
    return dict.fromkeys(NETWORK_ENV, name)


def create_defaults(kubectl: Path, env: Mapping[str, str], defaults_dir: Path) -> DefaultsResult:
    """Create every object of ``defaults_dir`` that does not exist yet; ``env`` carries KUBECONFIG.

    ``kubectl create`` is the API server's create: it fails with AlreadyExists for an object that
    is there, which is exactly "keep it as it is".
    """
    expected = default_objects(defaults_dir)
    if not expected:
        return DefaultsResult([], [])
    file_args = [arg for f in default_files(defaults_dir) for arg in ("-f", str(f))]
    done = subprocess.run(
        [str(kubectl), "create", "--field-manager=kubenova-localstack", "-o", "name", *file_args],
        check=False,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=120,
    )
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error") or "error:" in line]
    existing = {m.group(1) for line in errors if (m := _ALREADY_EXISTS.search(line))}
    unexpected = [line for line in errors if not _ALREADY_EXISTS.search(line)]
    if unexpected or (done.returncode != 0 and not existing):
        raise DefaultsError(f"kubectl create {' '.join(file_args)} failed:\n{done.stderr.strip()}")
    created_names = {line.split("/", 1)[1] for line in done.stdout.split() if "/" in line}
    created = [o for o in expected if o.split("/", 1)[1] in created_names]
    kept = [o for o in expected if o.split("/", 1)[1] in existing and o not in created]
    missing = [o for o in expected if o not in created and o not in kept]
    if missing:
        raise DefaultsError(f"kubectl create neither created nor found {missing}:\n{done.stderr.strip()}")
    return DefaultsResult(created, kept)
