"""Small decisions inside handlers: keypair status, pending power changes, settings parsing."""

from __future__ import annotations

import pytest

from kubenova.domain import pending
from kubenova.handlers import keypairs
from kubenova.settings import Settings
from tests.unit.operator import factories as f


def test_keypair_status_has_fingerprint_or_error() -> None:
    assert keypairs.status_for(f.keypair()) == {
        "fingerprint": "c1:f3:2a:b1:d1:7d:2c:13:86:a2:c9:c8:bf:66:aa:99",
        "error": None,
    }
    broken = keypairs.status_for(f.keypair(key="ssh-rsa !!!"))
    assert broken["fingerprint"] is None
    assert broken["error"] is not None
    assert broken["error"].startswith("Keypair data is invalid")


@pytest.mark.parametrize(
    ("desired", "vm_state", "task", "needed"),
    [
        ("Stopped", "active", None, True),
        ("Stopped", "stopped", None, False),
        ("Stopped", "stopped", "powering-on", True),
        ("Running", "stopped", None, True),
        ("Running", "active", "powering-off", True),
        ("Running", "active", None, False),
        ("Stopped", "building", "spawning", False),
        ("Stopped", "error", None, False),
    ],
)
def test_needs_power_change(desired: str, vm_state: str, task: str | None, needed: bool) -> None:
    status = {"vmState": vm_state, **({"taskState": task} if task else {})}
    assert pending.power_unsettled(f.server(spec={"powerState": desired}, status=status)) is needed


def test_reboot_pending_until_handled() -> None:
    spec = {"reboot": {"type": "SOFT", "requestId": "req-1"}}
    assert pending.reboot_pending(f.server(spec=spec))
    assert not pending.reboot_pending(f.server(spec=spec, status={"handledReboot": "req-1"}))
    assert not pending.reboot_pending(f.server())


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBENOVA_NAMESPACES", "proj-a, proj-b")
    monkeypatch.setenv("KUBENOVA_CPU_ALLOCATION_RATIO", "2.5")
    monkeypatch.setenv("KUBENOVA_ENABLED_FILTERS", "ComputeFilter,RamFilter")
    settings = Settings()
    assert settings.namespaces == ("proj-a", "proj-b")
    config = settings.scheduler_config()
    assert config.cpu_allocation_ratio == 2.5
    assert config.enabled_filters == ("ComputeFilter", "RamFilter")
    assert settings.network_label == "private"
    assert config.default_availability_zone == "nova"


def test_settings_reject_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBENOVA_RAM_ALLOCATION_RATIO", "0")
    with pytest.raises(ValueError, match="ram_allocation_ratio"):
        Settings()
