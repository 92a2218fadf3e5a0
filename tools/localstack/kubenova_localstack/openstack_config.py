"""Identity bootstrap and ``clouds.yaml`` for the local stack, so ``export OS_CLOUD=kubenova`` is all
an OpenStack client user needs.

The gateway owns the identity format; this module only runs its ``bootstrap`` command and writes the
client configuration. Entries of ours are merged into the user's ``clouds.yaml``; other clouds in it
are kept untouched.
"""

from __future__ import annotations

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
PASSWORD_FILE = "openstack-passwords.yaml"


@dataclass(frozen=True)
class Passwords:
    admin: str
    users: str

    @classmethod
    def load_or_create(cls, state_dir: Path) -> Passwords:
        """Passwords kept in the state dir, so they survive restarts of ``make run``."""
        path = state_dir / PASSWORD_FILE
        if path.exists():
            data = yaml.safe_load(path.read_text()) or {}
            if isinstance(data, dict) and {"admin", "users"} <= data.keys():
                return cls(admin=str(data["admin"]), users=str(data["users"]))
        created = cls(
            admin=os.environ.get("KUBENOVA_ADMIN_PASSWORD") or secrets.token_urlsafe(12),
            users=os.environ.get("KUBENOVA_USER_PASSWORD") or secrets.token_urlsafe(12),
        )
        state_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump({"admin": created.admin, "users": created.users}))
        path.chmod(0o600)
        return created


def bootstrap_identity(env: dict[str, str], passwords: Passwords, *, cwd: Path) -> None:
    """Create or update the default users and projects (idempotent; the gateway's own command)."""
    command = [
        sys.executable, "-m", "kubenova_api", "bootstrap",
        "--admin-password", passwords.admin,
        "--default-password", passwords.users,
        "--user-password", f"demo-member={passwords.users}",
        "--user-password", f"demo-reader={passwords.users}",
        "--user-password", f"demo-manager={passwords.users}",
        "--user-password", f"alt-member={passwords.users}",
    ]  # fmt: skip
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
        DEMO_CLOUD: cloud("demo-member", "demo", passwords.users),
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
