"""The pure decisions of a rescue and an unrescue: the rows, when a request starts or is refused,
the task it shows before the operator takes it up, how it ends, and what it changes on the VM."""

from __future__ import annotations

from typing import Any

from kubenova.domain import actions, pending
from kubenova.kubevirt import builder, vm_rescue
from kubenova.kubevirt.models import VirtualMachine
from kubenova.resources.server import PowerStateName
from kubenova.resources.states import TaskState, VmState
from kubenova.status import rescue_steps
from kubenova.status.observation import Observation, observe
from tests.unit.operator import factories

PLACED = {"host": "node-1", "vmName": "web-1", "vmState": "active", "powerState": "Running"}
RESCUE = {"rescue": {"requestId": "req-rs", "state": "Rescued"}}
UNRESCUE = {"rescue": {"requestId": "req-un", "state": "Unrescued"}}


def _server(status: dict[str, Any] | None = None, spec: dict[str, Any] | None = None) -> Any:
    return factories.server(spec={**RESCUE, **(spec or {})}, status={**PLACED, **(status or {})})


def _built(image: Any = None) -> VirtualMachine:
    plan = builder.build(
        server=factories.server(),
        flavor=factories.embedded(ephemeral=1),
        image=image or factories.image(),
        keypair=None,
        host="node-1",
    )
    return plan.vm


def test_the_rows_carry_out_rescue_from_active_stopped_error_and_unrescue_from_rescued() -> None:
    rescue, unrescue = actions.SERVER_ACTIONS["rescue"], actions.SERVER_ACTIONS["unrescue"]
    assert (rescue.intent, rescue.task, rescue.policy) == (
        actions.Intent.RESCUE,
        TaskState.RESCUING,
        "os_compute_api:os-rescue",
    )
    assert (unrescue.intent, unrescue.task) == (actions.Intent.UNRESCUE, TaskState.UNRESCUING)
    assert {s for s in VmState if rescue.allows(s, None)} == {VmState.ACTIVE, VmState.STOPPED, VmState.ERROR}
    assert {s for s in VmState if unrescue.allows(s, None)} == {VmState.RESCUED}
    assert not rescue.allows(VmState.ACTIVE, TaskState.POWERING_OFF)
    assert {"rescue", "unrescue"} <= set(actions.carried_out())


def test_a_pending_request_shows_its_task_until_taken_up() -> None:
    assert pending.rescue_pending(_server())
    assert pending.task_state(_server()) is TaskState.RESCUING
    assert pending.task_state(_server({"vmState": "stopped"})) is TaskState.RESCUING
    assert pending.task_state(_server({"handledRescue": "req-rs"})) is None
    assert pending.task_state(_server({"vmState": "rescued"}, UNRESCUE)) is TaskState.UNRESCUING
    # A request the state does not allow implies no task (the operator refuses it).
    assert pending.task_state(_server({"vmState": "rescued"})) is None
    assert pending.task_state(_server({}, UNRESCUE)) is None


def test_begin_records_the_request_and_the_rescue_image() -> None:
    transition = rescue_steps.begin(_server(), image_id="img-r")
    assert transition is not None
    assert (transition.vm_state, transition.task_state) == (VmState.ACTIVE, TaskState.RESCUING)
    assert transition.fields["task"] == {"action": "rescue", "requestId": "req-rs", "imageId": "img-r"}
    assert transition.fields["handledRescue"] == "req-rs"
    assert transition.start_action is not None
    assert (transition.start_action.action, transition.start_action.request_id) == ("rescue", "req-rs")
    stopped = rescue_steps.begin(_server({"vmState": "stopped"}), image_id="img-r")
    assert stopped is not None
    assert stopped.vm_state is VmState.STOPPED  # Nova keeps the vm_state while rescuing
    undo = rescue_steps.begin(_server({"vmState": "rescued"}, UNRESCUE), image_id=None)
    assert undo is not None
    assert (undo.task_state, undo.fields["task"]) == (
        TaskState.UNRESCUING,
        {"action": "unrescue", "requestId": "req-un"},
    )


def test_the_resync_looks_at_a_rescue_under_way_or_due() -> None:
    assert rescue_steps.unsettled(_server())
    assert rescue_steps.unsettled(_server({"taskState": "unrescuing", "handledRescue": "req-rs"}))
    assert not rescue_steps.unsettled(_server({"handledRescue": "req-rs"}))
    assert not rescue_steps.unsettled(_server({"taskState": "powering-off"}))


def test_begin_waits_for_other_tasks_and_is_idempotent() -> None:
    assert rescue_steps.begin(_server({"taskState": "powering-off"}), image_id="i") is None
    assert rescue_steps.begin(_server({"vmState": "building"}), image_id="i") is None
    assert rescue_steps.begin(_server({"handledRescue": "req-rs"}), image_id="i") is None
    assert rescue_steps.begin(_server({"vmState": "rescued"}), image_id="i") is None


def test_a_request_the_state_refuses_is_a_failed_action() -> None:
    again = _server({"vmState": "rescued"})
    message = rescue_steps.refusal(again)
    assert message == f"Cannot 'rescue' instance {factories.SERVER_UID} while it is in vm_state rescued"
    rejected = rescue_steps.reject(again, message)
    assert rejected is not None
    assert rejected.vm_state is VmState.RESCUED
    assert rejected.task_state is None
    assert rejected.fields == {"handledRescue": "req-rs"}
    assert rejected.finish_action is not None
    assert rejected.finish_action.result == "Error"
    assert rescue_steps.refusal(_server({}, UNRESCUE)) == (
        f"Cannot 'unrescue' instance {factories.SERVER_UID} while it is in vm_state active"
    )
    assert rescue_steps.refusal(_server({"vmState": "paused"})) is not None


def test_the_rescue_ends_rescued_running_and_the_unrescue_active() -> None:
    addresses = {"addresses": {}, "networks": None}
    done = rescue_steps.rescued(_server({"taskState": "rescuing"}), addresses)
    assert done is not None
    assert (done.vm_state, done.task_state, done.power_state) == (
        VmState.RESCUED,
        None,
        PowerStateName.RUNNING,
    )
    assert done.finish_action is not None
    assert done.finish_action.action == "rescue"
    back = rescue_steps.unrescued(_server({"vmState": "rescued", "taskState": "unrescuing"}), addresses)
    assert back is not None
    assert (back.vm_state, back.task_state) == (VmState.ACTIVE, None)
    assert back.finish_action is not None
    assert back.finish_action.action == "unrescue"
    assert rescue_steps.rescued(_server(), addresses) is None
    assert rescue_steps.unrescued(_server({"taskState": "rescuing"}), addresses) is None


def test_a_failed_rescue_is_error_with_a_fault() -> None:
    failed = rescue_steps.failed(_server({"taskState": "rescuing"}), "Driver Error", "DataVolume x: no host")
    assert failed is not None
    assert (failed.vm_state, failed.task_state) == (VmState.ERROR, None)
    assert failed.fault is not None
    assert failed.fault.details == "DataVolume x: no host"
    assert failed.finish_action is not None
    assert (failed.finish_action.action, failed.finish_action.result) == ("rescue", "Error")
    assert rescue_steps.failed(_server(), "x") is None


def test_observation_leaves_a_rescued_server_and_a_rescue_under_way_alone() -> None:
    running = Observation(vm=factories.vm(), vmi=factories.vmi())
    assert observe(_server({"vmState": "rescued"}), running, network_label="private") is None
    assert observe(_server({"taskState": "rescuing"}), running, network_label="private") is None
    halted = Observation(vm=factories.vm(run_strategy="Halted"), vmi=None)
    assert observe(_server({"taskState": "rescuing"}), halted, network_label="private") is None
    assert observe(_server({"vmState": "rescued"}), halted, network_label="private") is None


def test_the_rescue_patch_boots_the_rescue_disk_first_and_keeps_the_root_disk_second() -> None:
    vm = _built(factories.image(volumeSource={"http": {"url": "http://images.example/own.img"}}))
    rescue_image = factories.image("rescue", volumeSource={"http": {"url": "http://images.example/r.img"}})
    server = factories.server()
    volume, template = vm_rescue.rescue_disk(server, factories.embedded(), rescue_image, storage_class="sc")
    assert template is not None
    assert template.metadata.name == "web-1-rescue"
    assert template.spec.source is not None
    assert template.spec.source.http is not None
    assert template.spec.source.http.url == "http://images.example/r.img"
    patch = vm_rescue.rescue_patch(vm, volume, template, "req-rs")
    rescued = VirtualMachine.model_validate(_merged(vm.to_api(), patch))
    disks = rescued.spec.template.spec.domain.devices.disks
    assert [(d.name, d.boot_order) for d in disks] == [
        ("rescuedisk", 1),
        ("rootdisk", None),
        ("cloudinitdisk", None),
        ("ephemeral0", None),
    ]
    volumes = {v.name: v for v in rescued.spec.template.spec.volumes}
    assert volumes["rescuedisk"].data_volume is not None
    assert volumes["rescuedisk"].data_volume.name == "web-1-rescue"
    assert volumes["rootdisk"].data_volume is not None
    assert volumes["rootdisk"].data_volume.name == "web-1-root"
    assert [t.metadata.name for t in rescued.spec.data_volume_templates] == [
        "web-1-root",
        "web-1-ephemeral0",
        "web-1-rescue",
    ]
    assert vm_rescue.rescued_for(rescued, "req-rs")
    assert not vm_rescue.rescued_for(rescued, "other")
    # Patching again (an operator restarted before it saw its write) gives the same VM.
    assert vm_rescue.rescue_patch(rescued, volume, template, "req-rs") == patch

    restored = VirtualMachine.model_validate(_merged(rescued.to_api(), vm_rescue.unrescue_patch(rescued)))
    assert restored.spec.template.spec.domain.devices.disks == vm.spec.template.spec.domain.devices.disks
    assert restored.spec.template.spec.volumes == vm.spec.template.spec.volumes
    assert restored.spec.data_volume_templates == vm.spec.data_volume_templates
    assert not vm_rescue.has_rescue_disk(restored)
    assert vm_rescue.RESCUE_ANNOTATION not in restored.metadata.annotations


def test_an_ephemeral_rescue_image_boots_its_container_disk() -> None:
    image = factories.image("rescue-live", rootDisk="Ephemeral")
    volume, template = vm_rescue.rescue_disk(factories.server(), factories.embedded(), image)
    assert template is None
    assert volume.container_disk is not None
    assert volume.container_disk.image == "quay.io/kubevirt/cirros-container-disk-demo"


def _merged(body: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """RFC 7386 merge patch, as the API server applies it."""
    merged = dict(body)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged
