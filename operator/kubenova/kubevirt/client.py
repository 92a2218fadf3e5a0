"""VirtualMachine/VMI calls the operator makes, over ``kubenova.k8s``.

Writes are creates, deletes and merge patches of the fields kubenova owns (``runStrategy``),
never whole-object updates, so nothing KubeVirt (or a user) added to a VM is ever dropped.
Reads parse into ``models`` leniently: real KubeVirt has status values the typed subset does not
enumerate, and the operator must not stop understanding a VM because of one.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any

import pydantic

from kubenova import k8s
from kubenova.kubevirt import builder, models

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class ObservedVm:
    """A VM as read, with its raw ``printableStatus`` (which may be a value the model lacks)."""

    vm: models.VirtualMachine
    printable_status: str | None


def parse_vm(body: dict[str, Any]) -> ObservedVm:
    status = body.get("status") or {}
    printable = status.get("printableStatus")
    try:
        vm = models.VirtualMachine.model_validate(body)
    except pydantic.ValidationError:
        vm = models.VirtualMachine.model_validate({**body, "status": {}})
    return ObservedVm(vm=vm, printable_status=printable if isinstance(printable, str) else None)


def parse_vmi(body: dict[str, Any]) -> models.VirtualMachineInstance:
    try:
        return models.VirtualMachineInstance.model_validate(body)
    except pydantic.ValidationError:
        LOG.warning("VMI %s has a status kubenova cannot parse; ignoring its status", body.get("metadata"))
        return models.VirtualMachineInstance.model_validate({**body, "status": {}})


class VirtualMachines:
    """VM and VMI operations in one namespace-agnostic object."""

    def __init__(self, client: k8s.Client) -> None:
        self._client = client

    async def create(self, plan: builder.VmPlan) -> ObservedVm:
        """Create the plan's Secret (if any; an existing one holds the same bytes) and then its VM.

        Raises ``k8s.AlreadyExists`` when the VM exists: the caller decides whether to adopt it.
        """
        namespace = plan.vm.metadata.namespace
        for secret in (plan.secret, plan.credentials):
            if secret is not None:
                with contextlib.suppress(k8s.AlreadyExists):
                    await self._client.create(k8s.SECRETS, secret, namespace)
        body = await self._client.create(k8s.VIRTUAL_MACHINES, plan.vm.to_api(), namespace)
        return parse_vm(body)

    async def get(self, namespace: str, name: str) -> ObservedVm | None:
        try:
            return parse_vm(await self._client.get(k8s.VIRTUAL_MACHINES, name, namespace))
        except k8s.NotFound:
            return None

    async def set_run_strategy(self, namespace: str, name: str, strategy: models.RunStrategy) -> ObservedVm:
        """Patch ``spec.runStrategy`` (and clear the deprecated ``running``, which excludes it)."""
        patch = {"spec": {"runStrategy": strategy.value, "running": None}}
        return parse_vm(await self._client.merge_patch(k8s.VIRTUAL_MACHINES, name, patch, namespace))

    async def patch(self, namespace: str, name: str, patch: dict[str, Any]) -> ObservedVm:
        """A merge patch of fields kubenova owns (a rebuild's disks and cloud-init; a resize's CPU,
        memory and host pinning)."""
        return parse_vm(await self._client.merge_patch(k8s.VIRTUAL_MACHINES, name, patch, namespace))

    async def delete_data_volume(self, namespace: str, name: str, *, uid: str) -> None:
        """Delete the DataVolume ``uid`` in the foreground: it stays (terminating) until the
        garbage collector has removed its PVC, so the DataVolume virt-controller then creates
        from the VM's template gets a new, empty claim instead of adopting the old one."""
        with contextlib.suppress(k8s.NotFound, k8s.Conflict):
            await self._client.delete(k8s.DATA_VOLUMES, name, namespace, uid=uid, propagation="Foreground")

    async def patch_claim(self, namespace: str, name: str, patch: dict[str, Any]) -> bool:
        """A merge patch of a PersistentVolumeClaim (a resize grows the root disk's request);
        False if the claim does not exist."""
        try:
            await self._client.merge_patch(k8s.PERSISTENT_VOLUME_CLAIMS, name, patch, namespace)
        except k8s.NotFound:
            return False
        return True

    async def delete(self, namespace: str, name: str) -> None:
        """Delete the VM; absent is fine. KubeVirt's VM controller deletes its VMI and holds the VM
        (its finalizer) until the VMI is gone, so no foreground garbage collection is asked for
        (that would make the garbage collector race the controller for the same VMI)."""
        with contextlib.suppress(k8s.NotFound):
            await self._client.delete(k8s.VIRTUAL_MACHINES, name, namespace)

    async def delete_instance(self, namespace: str, name: str, *, uid: str | None = None) -> bool:
        """Delete the VMI (only the one with ``uid``, when given). False if it was already gone."""
        try:
            await self._client.delete(k8s.VIRTUAL_MACHINE_INSTANCES, name, namespace, uid=uid)
        except k8s.NotFound:
            return False
        except k8s.Conflict:
            return False  # the name now holds another instance: ours is gone
        return True

    async def instance_action(self, namespace: str, name: str, action: str) -> str | None:
        """KubeVirt's VMI ``action`` subresource (pause, unpause, softreboot): ``None`` when virt-api
        accepted it, else its refusal (``k8s.Unavailable`` is raised: it may be tried again)."""
        try:
            await self._client.put_subresource(k8s.VMI_SUBRESOURCES, name, action, namespace)
        except k8s.Unavailable:
            raise
        except k8s.KubeError as refused:
            return str(refused) or type(refused).__name__
        return None
