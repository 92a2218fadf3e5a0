"""A build while its root disk is imported: progress from CDI (throttled), and a failed import
(KubeVirt's DataVolumeError) fails the build with CDI's message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kubenova import status
from kubenova.kubevirt import builder, cdi_models, models
from kubenova.resources.states import TaskState, VmState
from tests.unit.operator import factories as f

PLACED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def built_vm(**vm_status: Any) -> models.VirtualMachine:
    vm = builder.build(
        server=f.server(), flavor=f.embedded(), image=f.image(), keypair=None, host="node-a"
    ).vm
    return vm.model_copy(update={"status": models.VmStatus.model_validate(vm_status)})


def root_dv(
    phase: str, progress: str, conditions: list[dict[str, Any]] | None = None
) -> cdi_models.DataVolume:
    return cdi_models.DataVolume.model_validate(
        {
            "metadata": {"name": "web-1-root", "namespace": "demo"},
            "status": {"phase": phase, "progress": progress, "conditions": conditions or []},
        }
    )


def spawning(progress: int = 0) -> Any:
    return f.server(
        status={
            "host": "node-a",
            "vmName": "web-1",
            "flavor": f.embedded().to_api(),
            "vmState": "building",
            "taskState": "spawning",
            "progress": progress,
            "updatedAt": PLACED_AT.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )


def observe(
    server: Any, dv: cdi_models.DataVolume, *, after: float, printable: str | None = "Provisioning"
) -> Any:
    seen = status.Observation(vm=built_vm(), vmi=None, vm_printable_status=printable, data_volumes=(dv,))
    return status.observe(server, seen, network_label="private", now=PLACED_AT + timedelta(seconds=after))


def test_import_progress_is_written_at_most_every_interval() -> None:
    importing = root_dv("ImportInProgress", "42.50%")
    assert observe(spawning(), importing, after=1) is None  # a quick import costs no write
    transition = observe(spawning(), importing, after=status.observation.PROGRESS_INTERVAL + 1)
    assert transition is not None
    assert (transition.vm_state, transition.task_state) == (VmState.BUILDING, TaskState.SPAWNING)
    assert transition.fields == {"progress": 42}
    assert transition.announce is False
    assert observe(spawning(42), importing, after=60) is None  # unchanged: nothing to write
    assert observe(spawning(), root_dv("ImportScheduled", "N/A"), after=60) is None


def test_failed_import_fails_the_build_with_cdis_message() -> None:
    failing = root_dv(
        "ImportInProgress",
        "N/A",
        [
            {
                "type": "Running",
                "status": "False",
                "reason": "Error",
                "message": "Unable to connect: no such host",
            }
        ],
    )
    transition = observe(spawning(), failing, after=1, printable="DataVolumeError")
    assert transition is not None
    assert transition.vm_state is VmState.ERROR
    assert transition.warning is True
    assert transition.fault == status.Fault(
        "DataVolumeError", "DataVolume web-1-root: Unable to connect: no such host"
    )
    assert transition.finish_action == status.ActionFinish("create", "Error", "DataVolumeError")
