"""The pure decisions of a rebuild: when it starts or is refused, its task sequence, how it ends,
and what it changes on the VM and its DataVolumes."""

from __future__ import annotations

from typing import Any

from kubenova.domain import actions, pending
from kubenova.kubevirt import cdi_models, vm_rebuild
from kubenova.kubevirt.models import VirtualMachine
from kubenova.resources.server import PowerStateName
from kubenova.resources.states import TaskState, VmState
from kubenova.status import rebuild_steps
from tests.unit.operator import factories

PLACED = {"host": "node-1", "vmName": "web-1", "vmState": "active", "powerState": "Running"}
REBUILD = {"rebuild": {"requestId": "req-rb"}}


def _server(status: dict[str, Any] | None = None, spec: dict[str, Any] | None = None) -> Any:
    return factories.server(spec={**REBUILD, **(spec or {})}, status={**PLACED, **(status or {})})


def _dv(name: str, uid: str, phase: str = "Succeeded", **status: Any) -> cdi_models.DataVolume:
    return cdi_models.DataVolume.model_validate(
        {"metadata": {"name": name, "uid": uid}, "spec": {}, "status": {"phase": phase, **status}}
    )


def test_the_rebuild_row_is_carried_out_from_active_stopped_and_error() -> None:
    row = actions.SERVER_ACTIONS["rebuild"]
    assert (row.intent, row.task, row.policy) == (
        actions.Intent.REBUILD,
        TaskState.REBUILDING,
        "os_compute_api:servers:rebuild",
    )
    assert {s for s in VmState if row.allows(s, None)} == {VmState.ACTIVE, VmState.STOPPED, VmState.ERROR}
    assert not row.allows(VmState.ACTIVE, TaskState.POWERING_OFF)


def test_a_pending_rebuild_shows_as_rebuilding_until_taken_up() -> None:
    server = _server()
    assert pending.rebuild_pending(server)
    assert pending.task_state(server) is TaskState.REBUILDING
    handled = _server({"handledRebuild": "req-rb"})
    assert not pending.rebuild_pending(handled)
    assert pending.task_state(handled) is None


def test_begin_records_the_task_image_and_volumes_to_replace() -> None:
    transition = rebuild_steps.begin(_server(), image_id="img-2", replaced_volume_uids=["dv-1"])
    assert transition is not None
    assert (transition.vm_state, transition.task_state) == (VmState.ACTIVE, TaskState.REBUILDING)
    assert transition.fields["task"] == {
        "action": "rebuild",
        "requestId": "req-rb",
        "imageId": "img-2",
        "replacedVolumeUids": ["dv-1"],
        "startAfter": True,
    }
    assert transition.fields["imageId"] == "img-2"
    assert transition.fields["handledRebuild"] == "req-rb"
    assert transition.start_action is not None
    assert transition.start_action.action == "rebuild"
    stopped = rebuild_steps.begin(_server({"vmState": "stopped"}), image_id="i", replaced_volume_uids=[])
    assert stopped is not None
    assert stopped.fields["task"]["startAfter"] is False


def test_begin_waits_for_a_build_or_another_task_and_is_idempotent() -> None:
    assert (
        rebuild_steps.begin(_server({"taskState": "powering-off"}), image_id="i", replaced_volume_uids=[])
        is None
    )
    assert (
        rebuild_steps.begin(_server({"vmState": "building"}), image_id="i", replaced_volume_uids=[]) is None
    )
    assert (
        rebuild_steps.begin(_server({"handledRebuild": "req-rb"}), image_id="i", replaced_volume_uids=[])
        is None
    )


def test_a_state_that_refuses_it_is_recorded_as_a_failed_action() -> None:
    paused = _server({"vmState": "paused"})
    refusal = rebuild_steps.refusal(paused)
    assert refusal is not None
    assert "Cannot 'rebuild' instance" in refusal
    assert rebuild_steps.begin(paused, image_id="i", replaced_volume_uids=[]) is None
    rejected = rebuild_steps.reject(paused, refusal)
    assert rejected is not None
    assert rejected.task_state is None
    assert rejected.vm_state is VmState.PAUSED
    assert rejected.fields == {"handledRebuild": "req-rb"}
    assert rejected.finish_action is not None
    assert (rejected.finish_action.action, rejected.finish_action.result) == ("rebuild", "Error")


def test_the_task_sequence_and_its_end() -> None:
    rebuilding = _server({"taskState": "rebuilding"})
    disks = rebuild_steps.disks_next(rebuilding)
    assert disks is not None
    assert disks.task_state is TaskState.REBUILD_BLOCK_DEVICE_MAPPING
    assert rebuild_steps.spawning(rebuilding) is None  # not from rebuilding
    spawning = rebuild_steps.spawning(_server({"taskState": "rebuild_block_device_mapping"}))
    assert spawning is not None
    assert spawning.task_state is TaskState.REBUILD_SPAWNING
    at_spawn = _server({"taskState": "rebuild_spawning", "vmState": "error"})
    active = rebuild_steps.rebuilt(at_spawn, {"addresses": {}, "networks": None})
    assert active is not None
    assert (active.vm_state, active.task_state, active.power_state) == (
        VmState.ACTIVE,
        None,
        PowerStateName.RUNNING,
    )
    assert active.fields["fault"] is None
    assert active.finish_action is not None
    assert active.finish_action.result == "Success"
    stopped = rebuild_steps.rebuilt(at_spawn, None)
    assert stopped is not None
    assert (stopped.vm_state, stopped.power_state) == (VmState.STOPPED, PowerStateName.SHUTDOWN)
    assert rebuild_steps.rebuilt(rebuilding, None) is None


def test_a_failure_ends_in_error_with_a_fault() -> None:
    failed = rebuild_steps.failed(
        _server({"taskState": "rebuild_spawning"}), "DataVolumeError", "no such host"
    )
    assert failed is not None
    assert (failed.vm_state, failed.task_state) == (VmState.ERROR, None)
    assert failed.fault is not None
    assert (failed.fault.message, failed.fault.details) == ("DataVolumeError", "no such host")
    assert failed.finish_action is not None
    assert (failed.finish_action.action, failed.finish_action.result) == ("rebuild", "Error")
    assert rebuild_steps.failed(_server(), "x") is None  # no rebuild under way


def test_the_vm_patch_carries_the_new_templates_and_the_request() -> None:
    built = VirtualMachine.model_validate(
        {
            "metadata": {"name": "web-1", "annotations": {"compute.kubenova.io/image-id": "img-2"}},
            "spec": {
                "runStrategy": "Always",
                "template": {"spec": {"domain": {"devices": {}}, "volumes": [], "hostname": "h"}},
                "dataVolumeTemplates": [
                    {"metadata": {"name": "web-1-root"}, "spec": {"source": {"blank": {}}}}
                ],
            },
        }
    )
    patch = vm_rebuild.vm_patch(built, "req-rb")
    assert "runStrategy" not in patch["spec"]
    assert patch["spec"]["dataVolumeTemplates"][0]["metadata"]["name"] == "web-1-root"
    assert patch["spec"]["template"]["spec"]["hostname"] == "h"
    assert patch["metadata"]["annotations"] == {
        "compute.kubenova.io/image-id": "img-2",
        vm_rebuild.REBUILD_ANNOTATION: "req-rb",
    }
    patched = VirtualMachine.model_validate({**built.to_api(), "metadata": patch["metadata"]})
    assert vm_rebuild.vm_patched(patched, "req-rb")
    assert not vm_rebuild.vm_patched(built, "req-rb")


def test_which_volumes_are_replaced_and_when_they_are_back() -> None:
    volumes = [_dv("web-1-root", "r1"), _dv("web-1-ephemeral0", "e1"), _dv("web-1-swap", "s1")]
    names = [v.metadata.name for v in vm_rebuild.replaced_volumes("web-1", volumes, preserve_ephemeral=False)]
    assert names == ["web-1-root", "web-1-ephemeral0"]
    kept = vm_rebuild.replaced_volumes("web-1", volumes, preserve_ephemeral=True)
    assert [v.metadata.name for v in kept] == ["web-1-root"]
    templates = ["web-1-root", "web-1-ephemeral0", "web-1-swap"]

    def ready(current: list[cdi_models.DataVolume]) -> bool:
        return vm_rebuild.replacements_ready(
            "web-1", current, ["r1", "e1"], preserve_ephemeral=False, templates=templates
        )

    assert not ready(volumes)  # the old ones are still there
    assert not ready([_dv("web-1-root", "r2"), _dv("web-1-swap", "s1")])  # ephemeral not back yet
    assert ready(
        [_dv("web-1-root", "r2", "ImportInProgress"), _dv("web-1-ephemeral0", "e2"), _dv("web-1-swap", "s1")]
    )


def test_import_errors_and_completion() -> None:
    running_error = {
        "conditions": [{"type": "Running", "status": "False", "reason": "Error", "message": "no such host"}]
    }
    failing = [_dv("web-1-root", "r2", "ImportInProgress", **running_error)]
    assert vm_rebuild.import_error(failing, ["web-1-root"]) == "DataVolume web-1-root: no such host"
    assert vm_rebuild.import_error([_dv("web-1-root", "r2", "Failed")], ["web-1-root"]) is not None
    assert vm_rebuild.import_error([_dv("web-1-root", "r2", "ImportInProgress")], ["web-1-root"]) is None
    assert not vm_rebuild.imported([_dv("web-1-root", "r2", "ImportInProgress")], ["web-1-root"])
    assert vm_rebuild.imported([_dv("web-1-root", "r2")], ["web-1-root"])


def test_a_host_that_refuses_the_new_image_leaves_the_server_in_error_with_the_fault() -> None:
    message, details = "No valid host was found.", "Filter results: ImagePropertiesFilter: (start: 1, end: 0)"
    failed = rebuild_steps.unscheduled(_server(), message, details)
    assert failed is not None
    assert (failed.vm_state, failed.task_state, failed.power_state) == (VmState.ERROR, None, None)
    assert failed.fault is not None
    assert (failed.fault.message, failed.fault.details) == (message, details)
    assert failed.fields == {"handledRebuild": "req-rb"}  # the image and the task are not touched
    assert failed.finish_action is not None
    assert (failed.finish_action.action, failed.finish_action.result) == ("rebuild", "Error")
    assert rebuild_steps.unscheduled(_server({"handledRebuild": "req-rb"}), message, details) is None
    assert rebuild_steps.unscheduled(_server({"taskState": "powering-off"}), message, details) is None
