# Over 300 lines: one state machine (a migration's phases, source and target sides together).
"""Live migration: a VirtualMachineInstanceMigration moves a Running VMI to another Node.

Phases Pending -> Scheduling -> Scheduled -> PreparingTarget -> TargetReady -> Running ->
Succeeded, one ``--phase-delay`` apart. The target is chosen like any placement (Ready managed
Node, selectors, affinity, taints, free capacity) excluding the source; its capacity is held for
the whole migration. The VMI's ``status.migrationState`` tells the story (source/target node,
target pod, start/end timestamps, completed/failed) and is mirrored on the migration's status;
on success ``status.nodeName`` and the ``kubevirt.io/nodeName`` label move to the target while the
VMI keeps its address. The migration fails when the VMI is not running or not live-migratable,
another migration is in flight, no target fits, or the target Node dies on the way.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from kubenova.k8s import Informer, Transport
from kubenova.k8s import JsonObject as Obj
from kubenova.kubevirt.models import (
    MigrationPhase,
    VirtualMachineInstance,
    VirtualMachineInstanceMigration,
    VmiPhase,
)
from kubevirt_simulator.capacity import Capacity
from kubevirt_simulator.config import SimulatorConfig
from kubevirt_simulator.crds import VMI_RESOURCE, VMIM_RESOURCE
from kubevirt_simulator.names import NODE_NAME_LABEL
from kubevirt_simulator.nodes import internal_ip, is_marked_not_ready
from kubevirt_simulator.stepclock import StepClock
from kubevirt_simulator.timeutil import rfc3339
from kubevirt_simulator.vmi_facts import condition, is_deleting, read_vmi
from kubevirt_simulator.vmi_lifecycle import fails_vmis
from kubevirt_simulator.vmi_status import launcher_pod_name, launcher_pod_uid
from kubevirt_simulator.writes import patch_metadata, patch_status

log = logging.getLogger(__name__)

RUNNING_STEPS = 3.0
"""How many phase delays a migration spends copying memory (phase Running, VM Migrating)."""
FINAL = (MigrationPhase.SUCCEEDED, MigrationPhase.FAILED)
NEXT = {
    MigrationPhase.PENDING: MigrationPhase.SCHEDULING,
    MigrationPhase.SCHEDULED: MigrationPhase.PREPARING_TARGET,
    MigrationPhase.PREPARING_TARGET: MigrationPhase.TARGET_READY,
    MigrationPhase.TARGET_READY: MigrationPhase.RUNNING,
}


def _transitions(
    migration: VirtualMachineInstanceMigration, phase: MigrationPhase, at: str
) -> list[dict[str, Any]]:
    previous = [t.to_api() for t in migration.status.phase_transition_timestamps]
    return [*previous, {"phase": phase.value, "phaseTransitionTimestamp": at}]


class MigrationController:
    def __init__(
        self,
        client: Transport,
        config: SimulatorConfig,
        *,
        migrations: Informer[Obj],
        vmis: Informer[Obj],
        nodes: Informer[Obj],
        capacity: Capacity,
    ) -> None:
        self._client = client
        self._config = config
        self._migrations = migrations
        self._vmis = vmis
        self._nodes = nodes
        self._capacity = capacity
        self._steps = StepClock(config.phase_delay)

    def forget(self, obj: Obj) -> None:
        uid = str((obj.get("metadata") or {}).get("uid"))
        self._steps.forget(uid)

    def reconcile(self, namespace: str, name: str) -> float | None:
        obj = self._migrations.get(name, namespace)
        if obj is None:
            return None
        try:
            migration = VirtualMachineInstanceMigration.model_validate(obj)
        except ValidationError as exc:
            if (obj.get("status") or {}).get("phase") not in FINAL:
                patch_status(
                    self._client,
                    VMIM_RESOURCE,
                    obj,
                    {
                        "phase": MigrationPhase.FAILED.value,
                        "conditions": [
                            {
                                "type": "Failed",
                                "status": "True",
                                "reason": "InvalidSpec",
                                "message": f"kubevirt-simulator: invalid migration spec: {exc}",
                            }
                        ],
                    },
                    self._migrations,
                )
            return None
        uid = str(migration.metadata.uid)
        phase = migration.status.phase
        if phase in FINAL:
            self._capacity.release_target(uid)
            return None
        if migration.metadata.deletion_timestamp is not None:
            return None
        vmi_obj = self._vmis.get(migration.spec.vmi_name, namespace)
        vmi = read_vmi(vmi_obj) if vmi_obj is not None else None
        problem = self._blocker(migration, vmi)
        if problem is not None:
            return self._fail(obj, migration, vmi_obj, vmi, problem)
        assert vmi is not None
        assert vmi_obj is not None
        if phase is None:
            self._set_phase(obj, migration, MigrationPhase.PENDING, None)
            return self._config.phase_delay
        # The memory copy (Running) is the long part of a real migration.
        remaining = self._steps.remaining(
            uid, phase, RUNNING_STEPS if phase == MigrationPhase.RUNNING else 1.0
        )
        if remaining > 0:
            return remaining
        if phase == MigrationPhase.SCHEDULING:
            return self._schedule_target(obj, migration, vmi_obj, vmi)
        if phase in NEXT:
            next_phase = NEXT[phase]
            state = self._advance_vmi(vmi_obj, vmi, next_phase)
            self._set_phase(obj, migration, next_phase, state)
            return self._config.phase_delay
        if phase == MigrationPhase.RUNNING:
            return self._complete(obj, migration, vmi_obj, vmi)
        return None

    def _blocker(
        self, migration: VirtualMachineInstanceMigration, vmi: VirtualMachineInstance | None
    ) -> str | None:
        """Why this migration cannot go on, or None."""
        uid = migration.metadata.uid
        if vmi is None:
            return f"VMI {migration.spec.vmi_name} does not exist"
        if is_deleting(vmi):
            return f"VMI {migration.spec.vmi_name} is being deleted"
        if vmi.status.phase != VmiPhase.RUNNING:
            return f"VMI {migration.spec.vmi_name} is not running (phase {vmi.status.phase})"
        migratable = condition(vmi, "LiveMigratable")
        if migratable is not None and migratable.status == "False":
            return f"VMI {migration.spec.vmi_name} is not live migratable: {migratable.message}"
        state = vmi.status.migration_state
        in_flight = (
            state is not None
            and state.migration_uid
            and not state.completed
            and not state.failed
            and state.end_timestamp is None
        )
        if in_flight and state is not None and state.migration_uid != uid:
            return (
                f"another migration ({state.migration_uid}) of VMI {migration.spec.vmi_name} is in progress"
            )
        if migration.status.phase is None and self._older_active_migration(migration):
            return f"another migration of VMI {migration.spec.vmi_name} is in progress"
        if state is not None and state.migration_uid == uid and state.target_node:
            target = self._nodes.get(state.target_node)
            if target is None or is_marked_not_ready(target) or fails_vmis(target):
                return f"target node {state.target_node} failed during the migration"
            self._capacity.hold_target(str(uid), state.target_node, vmi)
        return None

    def _older_active_migration(self, migration: VirtualMachineInstanceMigration) -> bool:
        mine = (migration.metadata.creation_timestamp or "", migration.metadata.name or "")
        for obj in self._migrations.objects():
            meta = obj.get("metadata") or {}
            if (
                meta.get("namespace") != migration.metadata.namespace
                or meta.get("uid") == migration.metadata.uid
            ):
                continue
            if (obj.get("spec") or {}).get("vmiName") != migration.spec.vmi_name:
                continue
            phase = (obj.get("status") or {}).get("phase")
            if phase in FINAL or meta.get("deletionTimestamp"):
                continue
            if phase is not None or (meta.get("creationTimestamp") or "", meta.get("name") or "") < mine:
                return True
        return False

    def _set_phase(
        self,
        obj: Obj,
        migration: VirtualMachineInstanceMigration,
        phase: MigrationPhase,
        state: dict[str, Any] | None,
    ) -> None:
        status: dict[str, Any] = {
            "phase": phase.value,
            "phaseTransitionTimestamps": _transitions(migration, phase, rfc3339()),
        }
        if state is not None:
            status["migrationState"] = state
        patch_status(self._client, VMIM_RESOURCE, obj, status, self._migrations)
        self._steps.entered(str(migration.metadata.uid), phase)
        log.info(
            "kubevirt-simulator: migration %s/%s of VMI %s %s",
            migration.metadata.namespace,
            migration.metadata.name,
            migration.spec.vmi_name,
            phase.value,
        )

    def _schedule_target(
        self, obj: Obj, migration: VirtualMachineInstanceMigration, vmi_obj: Obj, vmi: VirtualMachineInstance
    ) -> float | None:
        source = vmi.status.node_name or ""
        placement = self._capacity.reserve_target(
            str(migration.metadata.uid),
            vmi,
            exclude=[source],
            added_node_selector=migration.spec.added_node_selector,
        )
        if placement.node is None:
            return self._fail(
                obj, migration, vmi_obj, vmi, f"no node can host the migration target: {placement.message}"
            )
        state = {
            "migrationUid": migration.metadata.uid,
            "sourceNode": source,
            "targetNode": placement.node,
            "sourcePod": launcher_pod_name(vmi, source),
            "targetPod": launcher_pod_name(vmi, placement.node),
            "mode": "PreCopy",
            "completed": False,
            "failed": False,
            # A merge patch keeps keys it does not mention: clear what an earlier migration left.
            "targetNodeAddress": None,
            "startTimestamp": None,
            "endTimestamp": None,
            "failureReason": None,
            "abortStatus": None,
            "abortRequested": None,
        }
        updated = patch_status(self._client, VMI_RESOURCE, vmi_obj, {"migrationState": state}, self._vmis)
        self._set_phase(
            obj, migration, MigrationPhase.SCHEDULED, (updated.get("status") or {}).get("migrationState")
        )
        return self._config.phase_delay

    def _advance_vmi(
        self, vmi_obj: Obj, vmi: VirtualMachineInstance, phase: MigrationPhase
    ) -> dict[str, Any] | None:
        state = vmi.status.migration_state
        patch: dict[str, Any] = {}
        if phase == MigrationPhase.TARGET_READY and state is not None and state.target_node:
            patch["targetNodeAddress"] = internal_ip(state.target_node)
        if phase == MigrationPhase.RUNNING:
            patch["startTimestamp"] = rfc3339()
        if not patch:
            return (vmi_obj.get("status") or {}).get("migrationState")
        updated = patch_status(self._client, VMI_RESOURCE, vmi_obj, {"migrationState": patch}, self._vmis)
        result: dict[str, Any] | None = (updated.get("status") or {}).get("migrationState")
        return result

    def _complete(
        self, obj: Obj, migration: VirtualMachineInstanceMigration, vmi_obj: Obj, vmi: VirtualMachineInstance
    ) -> float | None:
        state = vmi.status.migration_state
        assert state is not None
        assert state.target_node
        target = state.target_node
        if vmi.metadata.labels.get(NODE_NAME_LABEL) != target:
            vmi_obj = patch_metadata(
                self._client, VMI_RESOURCE, vmi_obj, labels={NODE_NAME_LABEL: target}, cache=self._vmis
            )
        updated = patch_status(
            self._client,
            VMI_RESOURCE,
            vmi_obj,
            {
                "nodeName": target,
                "activePods": {launcher_pod_uid(str(vmi.metadata.uid), target): target},
                "migrationState": {"completed": True, "endTimestamp": rfc3339()},
            },
            self._vmis,
        )
        self._capacity.release_target(str(migration.metadata.uid))
        self._set_phase(
            obj, migration, MigrationPhase.SUCCEEDED, (updated.get("status") or {}).get("migrationState")
        )
        return None

    def _fail(
        self,
        obj: Obj,
        migration: VirtualMachineInstanceMigration,
        vmi_obj: Obj | None,
        vmi: VirtualMachineInstance | None,
        reason: str,
    ) -> float | None:
        uid = str(migration.metadata.uid)
        state_out: dict[str, Any] | None = None
        state = vmi.status.migration_state if vmi is not None else None
        if vmi_obj is not None and state is not None and state.migration_uid == uid and not state.completed:
            updated = patch_status(
                self._client,
                VMI_RESOURCE,
                vmi_obj,
                {"migrationState": {"failed": True, "endTimestamp": rfc3339(), "failureReason": reason}},
                self._vmis,
            )
            state_out = (updated.get("status") or {}).get("migrationState")
        self._capacity.release_target(uid)
        status: dict[str, Any] = {
            "phase": MigrationPhase.FAILED.value,
            "phaseTransitionTimestamps": _transitions(migration, MigrationPhase.FAILED, rfc3339()),
            "conditions": [
                {"type": "Failed", "status": "True", "reason": "MigrationFailed", "message": reason}
            ],
        }
        if state_out is not None:
            status["migrationState"] = state_out
        patch_status(self._client, VMIM_RESOURCE, obj, status, self._migrations)
        log.info(
            "kubevirt-simulator: migration %s/%s of VMI %s Failed: %s",
            migration.metadata.namespace,
            migration.metadata.name,
            migration.spec.vmi_name,
            reason,
        )
        return None
