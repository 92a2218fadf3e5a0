"""``POST /servers/{id}/action``: the action is the body's single key.

Every action Nova knows goes through Nova's checks in Nova's order: the action must exist at the
request's microversion (404 otherwise), the policy must allow it (403), a locked server refuses
non-admins (409 "Instance X is locked"), and the server must be in one of the action's vm_states
and task_states (409 "Cannot '<action>' instance X while it is in vm_state Y").

Carried out: ``os-start``/``os-stop`` (``spec.powerState``), ``reboot`` (``spec.reboot`` with the
request id), ``lock``/``unlock`` (``spec.locked``, done at once). The spec change and the action
record go in one conditional patch whose builder re-checks the state, so two racing requests
cannot both pass. Every other Nova action passes the same checks and is then refused with 400,
the answer Nova gives for a feature the deployment does not support, until it is implemented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Response

from kubenova.resources import Server
from kubenova.resources.server import DesiredPowerState, InstanceAction
from kubenova.resources.states import TaskState, VmState
from kubenova_api import errors, policy
from kubenova_api.context import RequestContext
from kubenova_api.deps import Context, IdentityDep, JsonBody, StoreDep, Version
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.routers.servers import check_state, check_unlocked, new_action, project_of, visible_server
from kubenova_api.schemas.servers_actions import action_of, parse_lock, parse_reboot
from kubenova_api.store import Store
from kubenova_api.store import servers as nova

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/servers")
_C = "os_compute_api:"

ACTIVE, STOPPED, PAUSED, SUSPENDED = VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED
ERROR, RESCUED, RESIZED = VmState.ERROR, VmState.RESCUED, VmState.RESIZED
SHELVED, OFFLOADED, SOFT_DELETED = VmState.SHELVED, VmState.SHELVED_OFFLOADED, VmState.SOFT_DELETED
# Nova's task_states.ALLOW_REBOOT: a hard reboot may interrupt these.
ALLOW_HARD_REBOOT_TASKS: frozenset[str | None] = frozenset(
    {
        None,
        TaskState.REBOOTING,
        TaskState.REBOOT_PENDING,
        TaskState.REBOOT_STARTED,
        TaskState.RESUMING,
        TaskState.REBOOTING_HARD,
        TaskState.UNPAUSING,
        TaskState.PAUSING,
        TaskState.SUSPENDING,
    }
)


@dataclass(frozen=True)
class ActionRule:
    """How Nova guards one action."""

    policy: str
    vm_states: frozenset[str] | None = None
    """Allowed vm_states; ``None``: any (no state check at all)."""
    check_lock: bool = True
    min_version: str = "2.1"
    max_version: str | None = None
    method: str | None = None
    """The name in Nova's 409 message, when it differs from the action's key."""


def _states(*states: VmState) -> frozenset[str]:
    return frozenset(state.value for state in states)


RULES: dict[str, ActionRule] = {
    "os-start": ActionRule(_C + "servers:start", _states(STOPPED), method="start"),
    "os-stop": ActionRule(_C + "servers:stop", _states(ACTIVE, ERROR), method="stop"),
    "reboot": ActionRule(_C + "servers:reboot", _states(ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR)),
    "lock": ActionRule(_C + "os-lock-server:lock", check_lock=False),
    "unlock": ActionRule(_C + "os-lock-server:unlock", check_lock=False),
    # Known to Nova, not (yet) carried out by kubenova: checked, then refused.
    "pause": ActionRule(_C + "os-pause-server:pause", _states(ACTIVE)),
    "unpause": ActionRule(_C + "os-pause-server:unpause", _states(PAUSED)),
    "suspend": ActionRule(_C + "os-suspend-server:suspend", _states(ACTIVE)),
    "resume": ActionRule(_C + "os-suspend-server:resume", _states(SUSPENDED)),
    "rebuild": ActionRule(_C + "servers:rebuild", _states(ACTIVE, STOPPED, ERROR)),
    "resize": ActionRule(_C + "servers:resize", _states(ACTIVE, STOPPED)),
    "confirmResize": ActionRule(_C + "servers:confirm_resize", _states(RESIZED)),
    "revertResize": ActionRule(_C + "servers:revert_resize", _states(RESIZED)),
    "migrate": ActionRule(_C + "os-migrate-server:migrate", _states(ACTIVE, STOPPED)),
    "os-migrateLive": ActionRule(_C + "os-migrate-server:migrate_live", _states(ACTIVE, PAUSED)),
    "evacuate": ActionRule(_C + "os-evacuate", _states(ACTIVE, STOPPED, ERROR)),
    "shelve": ActionRule(_C + "os-shelve:shelve", _states(ACTIVE, STOPPED, PAUSED, SUSPENDED)),
    "shelveOffload": ActionRule(_C + "os-shelve:shelve_offload", _states(SHELVED)),
    "unshelve": ActionRule(_C + "os-shelve:unshelve", _states(SHELVED, OFFLOADED)),
    "createImage": ActionRule(_C + "servers:create_image", _states(ACTIVE, STOPPED, PAUSED, SUSPENDED)),
    "createBackup": ActionRule(_C + "os-create-backup", _states(ACTIVE, STOPPED, PAUSED, SUSPENDED)),
    "rescue": ActionRule(_C + "os-rescue", _states(ACTIVE, STOPPED, ERROR)),
    "unrescue": ActionRule(_C + "os-unrescue", _states(RESCUED)),
    "changePassword": ActionRule(_C + "os-admin-password", _states(ACTIVE)),
    "trigger_crash_dump": ActionRule(
        _C + "servers:trigger_crash_dump",
        _states(ACTIVE, PAUSED, RESCUED, RESIZED, ERROR),
        min_version="2.17",
    ),
    "forceDelete": ActionRule(_C + "os-deferred-delete:force", _states(SOFT_DELETED)),
    "restore": ActionRule(_C + "os-deferred-delete:restore", _states(SOFT_DELETED)),
    "os-resetState": ActionRule(_C + "os-admin-actions:reset_state", check_lock=False),
    "injectNetworkInfo": ActionRule(_C + "os-admin-actions:inject_network_info", check_lock=False),
    "os-getConsoleOutput": ActionRule(_C + "os-console-output", check_lock=False),
    "addSecurityGroup": ActionRule(_C + "os-security-groups:add"),
    "removeSecurityGroup": ActionRule(_C + "os-security-groups:remove"),
    "addFixedIp": ActionRule(_C + "os-multinic:add", max_version="2.43"),
    "removeFixedIp": ActionRule(_C + "os-multinic:remove", max_version="2.43"),
    "addFloatingIp": ActionRule(_C + "os-floating-ips:add", max_version="2.43"),
    "removeFloatingIp": ActionRule(_C + "os-floating-ips:remove", max_version="2.43"),
    "os-getVNCConsole": ActionRule(_C + "os-remote-consoles", check_lock=False, max_version="2.5"),
    "os-getSPICEConsole": ActionRule(_C + "os-remote-consoles", check_lock=False, max_version="2.5"),
    "os-getRDPConsole": ActionRule(_C + "os-remote-consoles", check_lock=False, max_version="2.5"),
    "os-getSerialConsole": ActionRule(_C + "os-remote-consoles", check_lock=False, max_version="2.5"),
}


def _rule(name: str, version: APIVersion) -> ActionRule:
    rule = RULES.get(name)
    if rule is None:
        raise errors.BadRequestError(f"There is no such action: {name}")
    if version < rule.min_version or (rule.max_version is not None and version > rule.max_version):
        raise errors.NotFoundError()  # the action does not exist at this microversion
    return rule


def _guard(rule: ActionRule, name: str, ctx: RequestContext, server: Server) -> None:
    """Lock and state checks (the state check re-runs on the stored object before writing)."""
    if rule.check_lock:
        check_unlocked(ctx, server)
    if rule.vm_states is not None:
        check_state(server, rule.method or name, vm_states=rule.vm_states)


@router.post("/{server_id}/action")
async def server_action(
    *, server_id: str, body: JsonBody, ctx: Context, version: Version, store: StoreDep, identity: IdentityDep
) -> Response:
    name, _arguments = action_of(body)
    rule = _rule(name, version)
    server = visible_server(store, ctx, server_id)
    policy.authorize(ctx, rule.policy, project_id=project_of(identity, server.metadata.namespace))
    if name == "reboot":
        await _reboot(store, ctx, server, body, rule)
    elif name in ("os-start", "os-stop"):
        await _power(store, ctx, server, name, rule)
    elif name == "lock":
        reason = parse_lock(body) if version >= "2.73" else None
        await _lock(store, ctx, server, project_of(identity, server.metadata.namespace), reason)
    elif name == "unlock":
        await _unlock(store, ctx, server, project_of(identity, server.metadata.namespace))
    else:
        _guard(rule, name, ctx, server)
        raise errors.BadRequestError(
            f"The requested functionality is not supported: kubenova does not implement '{name}' yet."
        )
    return Response(status_code=202)


async def _power(store: Store, ctx: RequestContext, server: Server, name: str, rule: ActionRule) -> None:
    action = new_action(ctx, rule.method or name)
    desired = DesiredPowerState.RUNNING if name == "os-start" else DesiredPowerState.STOPPED

    def build(current: Server) -> dict[str, Any]:
        _guard(rule, name, ctx, current)
        return {
            "spec": {"powerState": desired.value},
            "metadata": {"annotations": nova.action_annotations(current, action, for_operator=True)},
        }

    _guard(rule, name, ctx, server)
    await store.servers.modify(server, build)


async def _reboot(store: Store, ctx: RequestContext, server: Server, body: Any, rule: ActionRule) -> None:
    reboot_type = parse_reboot(body).type
    action = new_action(ctx, "reboot")

    def build(current: Server) -> dict[str, Any]:
        if rule.check_lock:
            check_unlocked(ctx, current)
        if reboot_type == "SOFT":
            check_state(current, "reboot", vm_states=_states(ACTIVE))
        else:
            check_state(current, "reboot", vm_states=rule.vm_states, task_states=ALLOW_HARD_REBOOT_TASKS)
        annotations = nova.action_annotations(current, action, for_operator=True)
        if current.status.vm_state == STOPPED:
            # Nova's hard reboot of a stopped server powers it on; kubenova's start is exactly that.
            return {
                "spec": {"powerState": DesiredPowerState.RUNNING.value},
                "metadata": {"annotations": annotations},
            }
        return {
            "spec": {"reboot": {"type": reboot_type, "requestId": ctx.request_id}},
            "metadata": {"annotations": annotations},
        }

    build(server)  # refuse from the cache before writing anything
    await store.servers.modify(server, build)


def _finished(action: InstanceAction) -> InstanceAction:
    return action.model_copy(update={"finish_time": action.start_time, "result": "Success"})


async def _lock(
    store: Store, ctx: RequestContext, server: Server, project_id: str, reason: str | None
) -> None:
    """Nova's lock: an owner's second lock is a no-op; who locked decides who may unlock."""
    is_owner = project_id == ctx.project_id
    if server.spec.locked and is_owner:
        return
    action = _finished(new_action(ctx, "lock"))

    def build(current: Server) -> dict[str, Any]:
        annotations: dict[str, str | None] = {
            nova.LOCKED_BY_ANNOTATION: "owner" if is_owner else "admin",
            **nova.action_annotations(current, action, for_operator=False),
        }
        return {"spec": {"locked": True, "lockedReason": reason}, "metadata": {"annotations": annotations}}

    await store.servers.modify(server, build)


async def _unlock(store: Store, ctx: RequestContext, server: Server, project_id: str) -> None:
    """Nova's unlock: a lock taken by the other side (admin vs owner) needs ``unlock_override``."""
    expected = "owner" if project_id == ctx.project_id else "admin"
    locked_by = nova.annotation(server, nova.LOCKED_BY_ANNOTATION)
    if locked_by and locked_by != expected:
        policy.authorize(ctx, _C + "os-lock-server:unlock:unlock_override", project_id=project_id)
    action = _finished(new_action(ctx, "unlock"))

    def build(current: Server) -> dict[str, Any]:
        annotations: dict[str, str | None] = {
            nova.LOCKED_BY_ANNOTATION: None,
            **nova.action_annotations(current, action, for_operator=False),
        }
        return {"spec": {"locked": False, "lockedReason": None}, "metadata": {"annotations": annotations}}

    await store.servers.modify(server, build)
