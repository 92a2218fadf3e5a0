"""Identity bootstrap and ``clouds.yaml`` for the local stack, so ``export OS_CLOUD=kubenova`` is all
an OpenStack client user needs.

The gateway owns the identity format; this module only runs its ``bootstrap`` command and writes the
client configuration. Entries of ours are merged into the user's ``clouds.yaml``; other clouds in it
are kept untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ADMIN_CLOUD = "kubenova"
DEMO_CLOUD = "kubenova-demo"
PASSWORD_FILE = "openstack-passwords.json"


STACK_USERS = ("admin", "demo-member", "demo-reader", "demo-manager", "alt-member")
"""The users the gateway's ``bootstrap`` creates by default; each gets a password of its own."""


@dataclass(frozen=True)
class Passwords:
    """One password per user of the local stack, kept in a 0600 file of the state dir.

    ``KUBENOVA_ADMIN_PASSWORD`` fixes the admin's; ``KUBENOVA_USER_PASSWORD``, when set, gives every
    other user that one password (for scripted runs that want to know it); otherwise each user
    gets its own random password. They reach the gateway's ``bootstrap`` through the file, never
    on a command line (where every local user could read them with ``ps``).
    """

    by_user: dict[str, str]

    @property
    def admin(self) -> str:
        return self.by_user["admin"]

    def of(self, user: str) -> str:
        return self.by_user[user]

    @classmethod
    def load_or_create(cls, state_dir: Path) -> Passwords:
        """Passwords kept in the state dir, so they survive restarts of ``make run``."""
        path = state_dir / PASSWORD_FILE
        kept: dict[str, str] = {}
        if path.exists():
            with contextlib.suppress(ValueError):
                data = json.loads(path.read_text())
                if isinstance(data, dict):
                    kept = {str(k): str(v) for k, v in data.items() if k in STACK_USERS}
        shared = os.environ.get("KUBENOVA_USER_PASSWORD")
        wanted: dict[str, str] = {}
        for user in STACK_USERS:
            fixed = os.environ.get("KUBENOVA_ADMIN_PASSWORD") if user == "admin" else shared
            wanted[user] = fixed or kept.get(user) or secrets.token_urlsafe(12)
        if wanted != kept:
            state_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.chmod(0o600)
            path.write_text(json.dumps(wanted, indent=2) + "\n")
        return cls(wanted)


def bootstrap_identity(env: dict[str, str], password_file: Path, *, cwd: Path) -> None:
    """Create or update the default users and projects (idempotent; the gateway's own command),
    each with its password from ``password_file``."""
    command = [sys.executable, "-m", "kubenova_api", "bootstrap", "--password-file", str(password_file)]
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=180, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"identity bootstrap failed:\n{done.stdout}{done.stderr}")


def clouds(auth_url: str, passwords: Passwords) -> dict[str, dict[str, Any]]:
    """Our two clouds: ``kubenova`` (admin) and ``kubenova-demo`` (a member of project demo)."""

    def cloud(user: str, project: str, password: str) -> dict[str, Any]:
        return {
            "auth": {
                "auth_url": auth_url,
                "username": user,
                "password": password,
                "project_name": project,
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            "region_name": "RegionOne",
            "identity_api_version": 3,
            "interface": "public",
        }

    return {
        ADMIN_CLOUD: cloud("admin", "admin", passwords.admin),
        DEMO_CLOUD: cloud("demo-member", "demo", passwords.of("demo-member")),
    }


def write_client_config(state_dir: Path, port: str, passwords: Passwords) -> Path:
    """Our clouds into ``state_dir/clouds.yaml`` and the user's clouds.yaml, plus an openrc; returns
    the user's clouds.yaml."""
    entries = clouds(f"http://127.0.0.1:{port}/identity/v3", passwords)
    merge_clouds_yaml(state_dir / "clouds.yaml", entries)
    write_openrc(state_dir / "openrc", entries[ADMIN_CLOUD])
    target = user_clouds_yaml()
    merge_clouds_yaml(target, entries)
    return target


def merge_clouds_yaml(path: Path, entries: dict[str, dict[str, Any]]) -> None:
    """Add or replace ``entries`` in the clouds.yaml at ``path``, keeping every other cloud."""
    data: dict[str, Any] = {}
    if path.exists():
        loaded = yaml.safe_load(path.read_text())
        if isinstance(loaded, dict):
            data = loaded
    existing = data.get("clouds")
    merged = dict(existing) if isinstance(existing, dict) else {}
    merged.update(entries)
    data["clouds"] = merged
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    path.chmod(0o600)


def user_clouds_yaml() -> Path:
    """Where the OpenStack clients look first for the user: ``~/.config/openstack/clouds.yaml``."""
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config_home / "openstack" / "clouds.yaml"


def write_openrc(path: Path, cloud: dict[str, Any]) -> None:
    """An ``openrc`` for clients that ignore clouds.yaml (the legacy ``nova`` CLI)."""
    auth = cloud["auth"]
    lines = [
        "# Source me: legacy OpenStack CLIs (e.g. `nova list`) read OS_* variables, not clouds.yaml.",
        "unset OS_CLOUD",
        f"export OS_AUTH_URL={auth['auth_url']}",
        f"export OS_USERNAME={auth['username']}",
        f"export OS_PASSWORD='{auth['password']}'",
        f"export OS_PROJECT_NAME={auth['project_name']}",
        "export OS_USER_DOMAIN_NAME=Default",
        "export OS_PROJECT_DOMAIN_NAME=Default",
        f"export OS_REGION_NAME={cloud['region_name']}",
        "export OS_IDENTITY_API_VERSION=3",
    ]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
