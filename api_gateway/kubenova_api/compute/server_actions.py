"""``POST /servers/{id}/action``: each Nova action through its row of the action table
(``kubenova.domain.actions.SERVER_ACTIONS``), in Nova's order: the action must exist at the
request's microversion (404), the policy must allow it (403), a locked server refuses non-admins
(409 "Instance X is locked"), and the server must be in one of the row's states (409 "Cannot
'<action>' instance X while it is in vm_state Y").

Carried out: ``os-start``/``os-stop``/``pause``/``unpause`` (``spec.powerState``), ``reboot``
(``spec.reboot`` with the request id), ``os-resetState`` (``spec.resetState``), ``lock``/``unlock``
(``spec.locked``; the operator records them finished at once). ``suspend``/``resume`` are
accepted and recorded as failed by the operator (KubeVirt has no suspend-to-disk: Nova's answer
when the driver lacks it); ``injectNetworkInfo`` is accepted with nothing to do (Nova's cast that
its drivers ignore; Nova records no action for it); ``trigger_crash_dump`` is refused as Nova
refuses it for a hypervisor without NMI injection.
``rebuild`` (``server_rebuild``: ``spec.image`` and ``spec.rebuild``) and ``createImage``/
``createBackup`` (``server_snapshots``: a new Image and ``spec.snapshot``).
``resize``/``confirmResize``/``revertResize`` are in ``compute.server_resize``, ``rescue``/
``unrescue`` (``spec.rescue``) in ``compute.server_rescue``.
The spec change and the request's inbox entry go in one conditional patch whose builder re-checks
the row, so two racing requests cannot both pass. Every other action passes the same checks and
is then refused with 400, Nova's answer for a feature the deployment does not support.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubenova.domain import actions, names
from kubenova.domain.actions import Intent, ServerAction
from kubenova.resources import Server
from kubenova.resources.server import DesiredPowerState
from kubenova.resources.states import VmState
from kubenova_api import errors, policy
from kubenova_api.compute import guards, inbox
from kubenova_api.compute.access import ServerAccess
from kubenova_api.context import RequestContext
from kubenova_api.microversions import APIVersion
from kubenova_api.store import Store

_UNLOCK_OVERRIDE = "os_compute_api:os-lock-server:unlock:unlock_override"


def row_for(name: str, version: APIVersion) -> ServerAction:
    """The action's row; 400 for an action Nova does not know, 404 outside its microversions."""
    row = actions.SERVER_ACTIONS.get(name)
    if row is None:
        raise errors.BadRequestError(f"There is no such action: {name}")
    if version < row.min_version or (row.max_version is not None and version > row.max_version):
        raise errors.NotFoundError()  # the action does not exist at this microversion
    return row


async def _write(
    store: Store,
    ctx: RequestContext,
    server: Server,
    row: ServerAction,
    spec: Callable[[Server], dict[str, Any]],
    *,
    annotations: dict[str, str | None] | None = None,
) -> None:
    """``spec(server)`` and the request's inbox entry in one patch, conditional on the version the
    row was checked against (checked again on the stored version after a conflict)."""
    request = inbox.new_request(ctx, row.name)

    def build(current: Server) -> dict[str, Any]:
        guards.check(row, ctx, current)
        written = {**(annotations or {}), **inbox.appended(current, request)}
        return {"spec": spec(current), "metadata": {"annotations": written}}

    build(server)  # refuse from the cache before writing anything
    await store.servers.modify(server, build)


write_intent = _write
"""A spec intent and its inbox entry in one conditional patch (for the other action modules)."""
_DESIRED = {
    Intent.START: DesiredPowerState.RUNNING,
    Intent.STOP: DesiredPowerState.STOPPED,
    Intent.PAUSE: DesiredPowerState.PAUSED,
    Intent.UNPAUSE: DesiredPowerState.RUNNING,
}
POWER_INTENTS = frozenset(_DESIRED)


async def power(store: Store, ctx: RequestContext, server: Server, row: ServerAction) -> None:
    """os-start / os-stop / pause / unpause: the desired power state."""
    assert row.intent is not None
    desired = _DESIRED[row.intent]
    await _write(store, ctx, server, row, lambda _: {"powerState": desired.value})


async def reset_state(store: Store, ctx: RequestContext, server: Server, state: str) -> None:
    """os-resetState (admin): the operator sets the vm_state and clears the task."""
    row = actions.SERVER_ACTIONS["os-resetState"]
    spec = {"resetState": {"state": state, "requestId": ctx.request_id}}
    await _write(store, ctx, server, row, lambda _: spec)


async def record_only(store: Store, ctx: RequestContext, server: Server, row: ServerAction) -> None:
    """suspend / resume: the request goes to the inbox only; the operator records it as failed
    (KubeVirt cannot), and the server stays as it is."""
    await _write(store, ctx, server, row, lambda _: {})


def no_op(ctx: RequestContext, server: Server, row: ServerAction) -> None:
    """injectNetworkInfo: Nova's checks; then nothing (KubeVirt's DHCP/cloud-init deliver the
    network configuration, as most Nova drivers do nothing here)."""
    guards.check(row, ctx, server)


TRIGGER_CRASH_DUMP_NOT_SUPPORTED = "Triggering crash dump is not supported"
"""Nova's ``TriggerCrashDumpNotSupported``: KubeVirt offers no NMI injection."""


async def reboot(store: Store, ctx: RequestContext, server: Server, reboot_type: str) -> None:
    """Nova's reboot, SOFT or HARD (a row each). A hard reboot of a stopped server powers it on,
    and kubenova's start is exactly that."""

    def spec(current: Server) -> dict[str, Any]:
        if current.status.vm_state is VmState.STOPPED:
            return {"powerState": DesiredPowerState.RUNNING.value}
        reboot = {"reboot": {"type": reboot_type, "requestId": ctx.request_id}}
        if current.status.vm_state is VmState.PAUSED:
            # Nova's hard reboot of a paused server leaves it ACTIVE: the new instance runs.
            return {**reboot, "powerState": DesiredPowerState.RUNNING.value}
        return reboot

    await _write(store, ctx, server, actions.reboot(reboot_type), spec)


async def lock(store: Store, ctx: RequestContext, access: ServerAccess, reason: str | None) -> None:
    """Nova's lock: an owner's second lock is a no-op; who locked (``spec.lockedBy``) decides who
    may unlock."""
    is_owner = access.project_id == ctx.project_id
    if access.server.spec.locked and is_owner:
        return
    row = actions.SERVER_ACTIONS["lock"]
    spec = {"locked": True, "lockedReason": reason, "lockedBy": "owner" if is_owner else "admin"}
    await _write(store, ctx, access.server, row, lambda _: spec)


def locked_by(server: Server) -> str | None:
    """``spec.lockedBy``; a server locked by an older gateway kept it in an annotation."""
    return server.spec.locked_by or server.metadata.annotations.get(names.LOCKED_BY_ANNOTATION)


async def unlock(store: Store, ctx: RequestContext, access: ServerAccess) -> None:
    """Nova's unlock (``is_expected_locked_by``): a lock taken by the other side (admin vs owner)
    needs ``unlock_override``."""
    expected = "owner" if access.project_id == ctx.project_id else "admin"
    by = locked_by(access.server)
    if by and by != expected:
        policy.authorize(ctx, _UNLOCK_OVERRIDE, project_id=access.project_id)
    row = actions.SERVER_ACTIONS["unlock"]
    cleared: dict[str, str | None] = {names.LOCKED_BY_ANNOTATION: None}
    spec = {"locked": False, "lockedReason": None, "lockedBy": None}
    await _write(store, ctx, access.server, row, lambda _: spec, annotations=cleared)


async def restore(store: Store, ctx: RequestContext, server: Server, row: ServerAction) -> None:
    """os-deferred-delete ``restore``: the soft delete undone, the server powered on (ACTIVE)."""
    spec = {"softDeleted": False, "powerState": DesiredPowerState.RUNNING.value}
    await _write(store, ctx, server, row, lambda _: spec)


def refuse_unsupported(ctx: RequestContext, server: Server, row: ServerAction, key: str) -> None:
    """A Nova action kubenova does not carry out: Nova's checks, then 400."""
    guards.check(row, ctx, server)
    if row.name == "trigger_crash_dump":
        raise errors.BadRequestError(TRIGGER_CRASH_DUMP_NOT_SUPPORTED)
    raise errors.BadRequestError(
        f"The requested functionality is not supported: kubenova does not implement '{key}' yet."
    )
