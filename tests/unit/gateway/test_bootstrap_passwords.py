"""Where ``python -m kubenova_api bootstrap`` takes passwords from: a file or the environment, so
that none has to be on a command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubenova_api.__main__ import _parser, _passwords_from


def test_a_password_file_gives_every_users_password(tmp_path: Path) -> None:
    path = tmp_path / "passwords.json"
    path.write_text(json.dumps({"admin": "a", "demo-member": "m", "alt-member": "x"}))
    args = _parser().parse_args(["bootstrap", "--password-file", str(path)])
    assert _passwords_from(args) == {"admin": "a", "demo-member": "m", "alt-member": "x"}


def test_the_admin_password_may_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBENOVA_BOOTSTRAP_ADMIN_PASSWORD", "from-env")
    args = _parser().parse_args(["bootstrap"])
    assert _passwords_from(args) == {"admin": "from-env"}


def test_without_an_admin_password_bootstrap_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBENOVA_BOOTSTRAP_ADMIN_PASSWORD", raising=False)
    with pytest.raises(SystemExit, match="admin's password"):
        _passwords_from(_parser().parse_args(["bootstrap"]))


def test_a_malformed_password_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "passwords.json"
    path.write_text(json.dumps({"admin": 1}))
    with pytest.raises(SystemExit, match="JSON object"):
        _passwords_from(_parser().parse_args(["bootstrap", "--password-file", str(path)]))
