"""The action table: Nova's state and lock checks, as compute/api.py words them."""

from __future__ import annotations

import pytest

from kubenova.domain import actions, errors
from kubenova.resources.states import TaskState, VmState


def test_stop_is_allowed_from_active_and_error_when_idle() -> None:
    stop = actions.SERVER_ACTIONS["os-stop"]
    assert stop.allows(VmState.ACTIVE, None)
    assert stop.allows(VmState.ERROR, None)
    assert not stop.allows(VmState.STOPPED, None)
    assert not stop.allows(VmState.ACTIVE, TaskState.POWERING_OFF)


def test_refusal_uses_novas_wording() -> None:
    with pytest.raises(errors.InstanceInvalidState) as refused:
        actions.SERVER_ACTIONS["os-start"].check(
            server_id="abc", vm_state=VmState.ACTIVE, task_state=None, launched=True
        )
    assert str(refused.value) == "Cannot 'start' instance abc while it is in vm_state active"


def test_task_state_is_checked_after_vm_state() -> None:
    with pytest.raises(errors.InstanceInvalidState, match="task_state powering-off"):
        actions.SERVER_ACTIONS["os-stop"].check(
            server_id="abc", vm_state=VmState.ACTIVE, task_state=TaskState.POWERING_OFF, launched=True
        )


def test_an_unlaunched_server_refuses_launch_bound_actions() -> None:
    with pytest.raises(errors.InstanceInvalidState, match="launched_at None"):
        actions.SERVER_ACTIONS["os-stop"].check(
            server_id="abc", vm_state=VmState.ERROR, task_state=None, launched=False
        )


def test_soft_reboot_is_narrower_than_hard() -> None:
    assert actions.reboot("HARD").allows(VmState.STOPPED, None)
    assert actions.reboot("HARD").allows(VmState.ACTIVE, TaskState.REBOOTING)
    assert not actions.reboot("SOFT").allows(VmState.STOPPED, None)
    assert not actions.reboot("SOFT").allows(VmState.ACTIVE, TaskState.REBOOTING)
    assert actions.reboot("SOFT").task is TaskState.REBOOTING
    assert actions.reboot("HARD").task is TaskState.REBOOTING_HARD


def test_lock_refuses_non_admins_only() -> None:
    stop = actions.SERVER_ACTIONS["os-stop"]
    with pytest.raises(errors.InstanceLocked, match="Instance abc is locked"):
        stop.check_lock_of(server_id="abc", locked=True, is_admin=False)
    stop.check_lock_of(server_id="abc", locked=True, is_admin=True)
    actions.SERVER_ACTIONS["unlock"].check_lock_of(server_id="abc", locked=True, is_admin=False)


def test_lock_and_reset_state_check_no_state() -> None:
    for key in ("lock", "unlock", "os-resetState"):
        assert actions.SERVER_ACTIONS[key].allows(VmState.BUILDING, TaskState.SPAWNING, launched=False)


def test_tag_writes_check_only_the_vm_state() -> None:
    tags = actions.tags_write("update")
    assert tags.allows(VmState.ACTIVE, TaskState.REBOOTING, launched=False)
    assert not tags.allows(VmState.BUILDING, None)


def test_every_carried_out_action_names_its_task_or_is_instant() -> None:
    carried = set(actions.carried_out())
    instant = {"lock", "unlock", "os-resetState", "injectNetworkInfo", "suspend", "resume", "confirmResize"}
    instant |= {"os-getConsoleOutput"}  # a read
    tasked = {"os-start", "os-stop", "reboot", "pause", "unpause", "restore", "forceDelete"}
    tasked |= {"resize", "revertResize", "migrate", "os-migrateLive", "evacuate"}
    tasked |= {"rebuild", "createImage", "createBackup"}
    tasked |= {"rescue", "unrescue"}
    tasked |= {"shelve", "shelveOffload", "unshelve"}
    tasked |= {"changePassword"}
    assert carried == tasked | instant
    for key in tasked:
        assert actions.SERVER_ACTIONS[key].task is not None
    for key in instant:
        assert actions.SERVER_ACTIONS[key].task is None


def test_deferred_delete_rows_follow_nova_compute_api() -> None:
    """soft_delete: any state, launched; restore: SOFT_DELETED and idle; force_delete: any
    vm_state, idle, launched or not."""
    soft = actions.SOFT_DELETE
    assert soft.allows(VmState.ERROR, TaskState.REBOOTING)
    assert not soft.allows(VmState.ACTIVE, None, launched=False)
    restore = actions.SERVER_ACTIONS["restore"]
    assert restore.allows(VmState.SOFT_DELETED, None)
    assert not restore.allows(VmState.ACTIVE, None)
    assert not restore.allows(VmState.SOFT_DELETED, TaskState.SOFT_DELETING)
    force = actions.SERVER_ACTIONS["forceDelete"]
    assert force.allows(VmState.SOFT_DELETED, None)
    assert force.allows(VmState.BUILDING, None, launched=False)
    assert not force.allows(VmState.SOFT_DELETED, TaskState.RESTORING)


def test_suspend_and_resume_are_accepted_to_fail_as_nova_does_without_the_driver_capability() -> None:
    for key in ("suspend", "resume"):
        assert actions.SERVER_ACTIONS[key].intent is actions.Intent.HYPERVISOR_CANNOT
    assert actions.SERVER_ACTIONS["suspend"].allows(VmState.ACTIVE, None)
    assert not actions.SERVER_ACTIONS["resume"].allows(VmState.ACTIVE, None)


def test_stop_of_a_paused_server_is_refused_as_in_nova() -> None:
    assert not actions.SERVER_ACTIONS["os-stop"].allows(VmState.PAUSED, None)
    assert actions.SERVER_ACTIONS["pause"].allows(VmState.ACTIVE, None)
    assert not actions.SERVER_ACTIONS["pause"].allows(VmState.STOPPED, None)
    assert actions.SERVER_ACTIONS["unpause"].allows(VmState.PAUSED, None)
    assert actions.HARD_REBOOT.allows(VmState.PAUSED, None)
    assert not actions.SOFT_REBOOT.allows(VmState.PAUSED, None)
