"""clouds.yaml merging and password persistence of the local stack (no cluster needed)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from unittest import mock

import pytest
import yaml

from kubenova_localstack import openstack_config


def test_merging_keeps_the_users_other_clouds(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"prod": {"auth": {"auth_url": "https://x"}}}, "x": 1}))
    passwords = _passwords("a", "u")
    openstack_config.merge_clouds_yaml(path, openstack_config.clouds("http://h/identity/v3", passwords))
    data = yaml.safe_load(path.read_text())
    assert set(data["clouds"]) == {"prod", "kubenova", "kubenova-demo"}
    assert data["x"] == 1
    assert data["clouds"]["kubenova"]["auth"]["username"] == "admin"
    assert data["clouds"]["kubenova"]["auth"]["password"] == "a"
    assert data["clouds"]["kubenova-demo"]["auth"]["project_name"] == "demo"
    assert path.stat().st_mode & 0o077 == 0


def test_merging_replaces_a_stale_entry(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    old = openstack_config.clouds("http://old/identity/v3", _passwords("a", "u"))
    openstack_config.merge_clouds_yaml(path, old)
    new = openstack_config.clouds("http://new/identity/v3", _passwords("b", "v"))
    openstack_config.merge_clouds_yaml(path, new)
    assert (
        yaml.safe_load(path.read_text())["clouds"]["kubenova"]["auth"]["auth_url"] == "http://new/identity/v3"
    )


def _passwords(admin: str, users: str) -> openstack_config.Passwords:
    users_ = openstack_config.STACK_USERS
    return openstack_config.Passwords({u: admin if u == "admin" else users for u in users_})


def test_passwords_survive_restarts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBENOVA_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("KUBENOVA_USER_PASSWORD", raising=False)
    first = openstack_config.Passwords.load_or_create(tmp_path)
    assert first == openstack_config.Passwords.load_or_create(tmp_path)
    assert len(first.admin) >= 12
    path = tmp_path / openstack_config.PASSWORD_FILE
    assert path.stat().st_mode & 0o077 == 0


def test_every_user_has_a_password_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBENOVA_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("KUBENOVA_USER_PASSWORD", raising=False)
    passwords = openstack_config.Passwords.load_or_create(tmp_path)
    assert set(passwords.by_user) == set(openstack_config.STACK_USERS)
    assert len(set(passwords.by_user.values())) == len(openstack_config.STACK_USERS)


def test_fixed_passwords_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBENOVA_ADMIN_PASSWORD", "adm")
    monkeypatch.setenv("KUBENOVA_USER_PASSWORD", "usr")
    passwords = openstack_config.Passwords.load_or_create(tmp_path)
    assert passwords.admin == "adm"
    assert {passwords.of(u) for u in openstack_config.STACK_USERS if u != "admin"} == {"usr"}


def test_bootstrap_is_given_no_password_on_its_command_line(tmp_path: Path) -> None:
    seen: list[list[str]] = []

    def run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        seen.append(command)
        return subprocess.CompletedProcess(command, 0, "", "")

    passwords = _passwords("secret-admin", "secret-user")
    path = tmp_path / openstack_config.PASSWORD_FILE
    path.write_text(json.dumps(passwords.by_user))
    with mock.patch.object(subprocess, "run", run):
        openstack_config.bootstrap_identity({}, path, cwd=tmp_path)
    (command,) = seen
    assert "--password-file" in command
    assert not any("secret" in part for part in command)


def test_openrc_exports_what_legacy_clients_read(tmp_path: Path) -> None:
    entries = openstack_config.clouds("http://h/identity/v3", _passwords("pw", "u"))
    path = tmp_path / "openrc"
    openstack_config.write_openrc(path, entries["kubenova"])
    text = path.read_text()
    assert "export OS_AUTH_URL=http://h/identity/v3" in text
    assert "export OS_USERNAME=admin" in text
    assert "export OS_PASSWORD='pw'" in text
