"""clouds.yaml merging and password persistence of the local stack (no cluster needed)."""

from __future__ import annotations

from pathlib import Path

import yaml

from kubenova_localstack import openstack_config


def test_merging_keeps_the_users_other_clouds(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"prod": {"auth": {"auth_url": "https://x"}}}, "x": 1}))
    passwords = openstack_config.Passwords(admin="a", users="u")
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
    old = openstack_config.clouds("http://old/identity/v3", openstack_config.Passwords("a", "u"))
    openstack_config.merge_clouds_yaml(path, old)
    new = openstack_config.clouds("http://new/identity/v3", openstack_config.Passwords("b", "v"))
    openstack_config.merge_clouds_yaml(path, new)
    assert (
        yaml.safe_load(path.read_text())["clouds"]["kubenova"]["auth"]["auth_url"] == "http://new/identity/v3"
    )


def test_passwords_survive_restarts(tmp_path: Path) -> None:
    first = openstack_config.Passwords.load_or_create(tmp_path)
    assert first == openstack_config.Passwords.load_or_create(tmp_path)
    assert first.admin != first.users
    assert len(first.admin) >= 12


def test_openrc_exports_what_legacy_clients_read(tmp_path: Path) -> None:
    entries = openstack_config.clouds("http://h/identity/v3", openstack_config.Passwords("pw", "u"))
    path = tmp_path / "openrc"
    openstack_config.write_openrc(path, entries["kubenova"])
    text = path.read_text()
    assert "export OS_AUTH_URL=http://h/identity/v3" in text
    assert "export OS_USERNAME=admin" in text
    assert "export OS_PASSWORD='pw'" in text
