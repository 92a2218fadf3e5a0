"""The action table: for each Nova server action, who may ask (policy rule), from which states
(Nova's ``check_instance_state`` on ``compute/api.py``), whether a lock refuses it, the task state
it sets while it runs and what it asks of the operator.

The gateway checks a request against its row before writing the intent; the operator checks the
same row before carrying the intent out (a kubectl change is not checked by the gateway), and the
task state it sets comes from the row. An action whose ``intent`` is ``None`` is known to Nova but
not carried out by kubenova: it passes the same checks and is then refused as unsupported.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from kubenova.domain import errors
from kubenova.resources.states import TaskState, VmState

_C = "os_compute_api:"
IDLE: frozenset[TaskState | None] = frozenset({None})

ACTIVE, STOPPED, PAUSED, SUSPENDED = VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED
ERROR, RESCUED, RESIZED = VmState.ERROR, VmState.RESCUED, VmState.RESIZED
SHELVED, OFFLOADED, SOFT_DELETED = VmState.SHELVED, VmState.SHELVED_OFFLOADED, VmState.SOFT_DELETED

ALLOW_HARD_REBOOT_TASKS: frozenset[TaskState | None] = frozenset(
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
"""Nova's ``task_states.ALLOW_REBOOT``: the tasks a hard reboot may interrupt."""

WRITABLE_STATES = frozenset({ACTIVE, PAUSED, SUSPENDED, STOPPED})
"""Where Nova lets metadata and tags be changed."""


class Intent(StrEnum):
    """What an action asks of the operator, as a change of the Server's spec."""

    START = "spec.powerState=Running"
    STOP = "spec.powerState=Stopped"
    PAUSE = "spec.powerState=Paused"
    UNPAUSE = "spec.powerState=Running (from PAUSED)"
    REBOOT = "spec.reboot"
    RESET_STATE = "spec.resetState"
    NO_OP = "nothing to carry out (Nova's drivers ignore it); answered 202"
    HYPERVISOR_CANNOT = "recorded as failed: KubeVirt has no such capability (Nova's NotImplementedError)"
    REBUILD = "spec.rebuild"
    SNAPSHOT = "spec.snapshot"
    LOCK = "spec.locked=true"
    UNLOCK = "spec.locked=false"
    UPDATE = "spec (metadata, tags, name, ...)"
    DELETE = "metadata.deletionTimestamp"
    RESIZE = "spec.flavor + spec.resize"
    CONFIRM_RESIZE = "spec.resizeDecision=Confirm"
    REVERT_RESIZE = "spec.resizeDecision=Revert"
    MIGRATE = "spec.migrate (a cold move, then VERIFY_RESIZE as a resize)"
    LIVE_MIGRATE = "spec.liveMigrate (a VirtualMachineInstanceMigration)"
    EVACUATE = "spec.evacuate (rebuilt on another host from its persistent disk)"
    SOFT_DELETE = "spec.softDeleted=true"
    RESTORE = "spec.softDeleted=false"
    RESCUE = "spec.rescue (state Rescued)"
    UNRESCUE = "spec.rescue (state Unrescued)"
    SHELVE = "spec.shelved=true"
    SHELVE_OFFLOAD = "spec.shelveOffload"
    UNSHELVE = "spec.shelved=false + spec.unshelve"
    ADMIN_PASSWORD = "the Secret <vm>-admin-password + spec.adminPassword"
    CONSOLE_OUTPUT = "nothing to carry out: a read of the launcher pod's guest-console-log"


@dataclass(frozen=True)
class ServerAction:
    """How Nova guards one server action, and how kubenova carries it out."""

    name: str
    """Nova's name for it: in the 409 message and the instance-action record."""
    policy: str | None
    """The policy rule; ``None`` where the route checks its own rule per method."""
    vm_states: frozenset[VmState] | None = None
    """Allowed vm_states; ``None``: no state check at all."""
    task_states: frozenset[TaskState | None] | None = IDLE
    """Allowed task_states (``None`` in the set = idle); ``None``: any."""
    must_have_launched: bool = True
    check_lock: bool = True
    task: TaskState | None = None
    """The task_state the server is in while the action is carried out."""
    intent: Intent | None = None
    """What it asks of the operator; ``None``: not carried out by kubenova."""
    min_version: str = "2.1"
    max_version: str | None = None
    conflict_name: str | None = None
    """The name in the 409 message when it is not ``name`` (``os-migrateLive`` records
    ``live-migration`` actions)."""

    def check(
        self, *, server_id: str, vm_state: VmState, task_state: TaskState | None, launched: bool
    ) -> None:
        """Nova's ``check_instance_state``: ``InstanceInvalidState`` unless the state allows it."""

        def refuse(attribute: str, value: object) -> errors.InstanceInvalidState:
            return errors.InstanceInvalidState(
                method=self.conflict_name or self.name, server_id=server_id, attribute=attribute, value=value
            )

        if self.vm_states is None:
            return
        if vm_state not in self.vm_states:
            raise refuse("vm_state", vm_state.value)
        if self.task_states is not None and task_state not in self.task_states:
            raise refuse("task_state", task_state.value if task_state is not None else None)
        if self.must_have_launched and not launched:
            raise refuse("launched_at", None)

    def allows(self, vm_state: VmState, task_state: TaskState | None, *, launched: bool = True) -> bool:
        try:
            self.check(server_id="", vm_state=vm_state, task_state=task_state, launched=launched)
        except errors.InstanceInvalidState:
            return False
        return True

    def check_lock_of(self, *, server_id: str, locked: bool, is_admin: bool) -> None:
        """Nova's ``check_instance_lock``: a locked server refuses non-admins."""
        if self.check_lock and locked and not is_admin:
            raise errors.InstanceLocked(server_id)


def _states(*states: VmState) -> frozenset[VmState]:
    return frozenset(states)


SERVER_ACTIONS: dict[str, ServerAction] = {
    "os-start": ServerAction(
        "start", _C + "servers:start", _states(STOPPED), task=TaskState.POWERING_ON, intent=Intent.START
    ),
    "os-stop": ServerAction(
        "stop", _C + "servers:stop", _states(ACTIVE, ERROR), task=TaskState.POWERING_OFF, intent=Intent.STOP
    ),
    "reboot": ServerAction(
        "reboot",
        _C + "servers:reboot",
        _states(ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR),
        task_states=ALLOW_HARD_REBOOT_TASKS,
        task=TaskState.REBOOTING_HARD,
        intent=Intent.REBOOT,
    ),
    "lock": ServerAction("lock", _C + "os-lock-server:lock", check_lock=False, intent=Intent.LOCK),
    "unlock": ServerAction("unlock", _C + "os-lock-server:unlock", check_lock=False, intent=Intent.UNLOCK),
    "pause": ServerAction(
        "pause", _C + "os-pause-server:pause", _states(ACTIVE), task=TaskState.PAUSING, intent=Intent.PAUSE
    ),
    "unpause": ServerAction(
        "unpause",
        _C + "os-pause-server:unpause",
        _states(PAUSED),
        task=TaskState.UNPAUSING,
        intent=Intent.UNPAUSE,
    ),
    # KubeVirt has no suspend-to-disk: Nova's answer for a driver without it (202, then the
    # action fails with NotImplementedError and the server stays as it was).
    "suspend": ServerAction(
        "suspend", _C + "os-suspend-server:suspend", _states(ACTIVE), intent=Intent.HYPERVISOR_CANNOT
    ),
    "resume": ServerAction(
        "resume", _C + "os-suspend-server:resume", _states(SUSPENDED), intent=Intent.HYPERVISOR_CANNOT
    ),
    # Known to Nova, not (yet) carried out by kubenova: checked, then refused.
    "rebuild": ServerAction(
        "rebuild",
        _C + "servers:rebuild",
        _states(ACTIVE, STOPPED, ERROR),
        task=TaskState.REBUILDING,
        intent=Intent.REBUILD,
    ),
    "resize": ServerAction(
        "resize",
        _C + "servers:resize",
        _states(ACTIVE, STOPPED),
        task=TaskState.RESIZE_PREP,
        intent=Intent.RESIZE,
    ),
    "confirmResize": ServerAction(
        "confirmResize", _C + "servers:confirm_resize", _states(RESIZED), intent=Intent.CONFIRM_RESIZE
    ),
    "revertResize": ServerAction(
        "revertResize",
        _C + "servers:revert_resize",
        _states(RESIZED),
        task=TaskState.RESIZE_REVERTING,
        intent=Intent.REVERT_RESIZE,
    ),
    "migrate": ServerAction(
        "migrate",
        _C + "os-migrate-server:migrate",
        _states(ACTIVE, STOPPED),
        task=TaskState.RESIZE_PREP,
        intent=Intent.MIGRATE,
    ),
    "os-migrateLive": ServerAction(
        "live-migration",
        _C + "os-migrate-server:migrate_live",
        _states(ACTIVE, PAUSED),
        task=TaskState.MIGRATING,
        intent=Intent.LIVE_MIGRATE,
        conflict_name="os-migrateLive",
    ),
    "evacuate": ServerAction(
        "evacuate",
        _C + "os-evacuate",
        _states(ACTIVE, STOPPED, ERROR),
        check_lock=False,  # Nova's evacuate has no lock check
        task=TaskState.REBUILDING,
        intent=Intent.EVACUATE,
    ),
    "shelve": ServerAction(
        "shelve",
        _C + "os-shelve:shelve",
        _states(ACTIVE, STOPPED, PAUSED, SUSPENDED),
        task=TaskState.SHELVING,
        intent=Intent.SHELVE,
    ),
    "shelveOffload": ServerAction(
        "shelveOffload",
        _C + "os-shelve:shelve_offload",
        _states(SHELVED),
        task=TaskState.SHELVING_OFFLOADING,
        intent=Intent.SHELVE_OFFLOAD,
    ),
    "unshelve": ServerAction(
        "unshelve",
        _C + "os-shelve:unshelve",
        _states(SHELVED, OFFLOADED),
        task=TaskState.UNSHELVING,
        intent=Intent.UNSHELVE,
    ),
    "createImage": ServerAction(
        "createImage",
        _C + "servers:create_image",
        _states(ACTIVE, STOPPED, PAUSED, SUSPENDED),
        task=TaskState.IMAGE_SNAPSHOT,
        intent=Intent.SNAPSHOT,
    ),
    "createBackup": ServerAction(
        "createBackup",
        _C + "os-create-backup",
        _states(ACTIVE, STOPPED, PAUSED, SUSPENDED),
        task=TaskState.IMAGE_BACKUP,
        intent=Intent.SNAPSHOT,
    ),
    "rescue": ServerAction(
        "rescue",
        _C + "os-rescue",
        _states(ACTIVE, STOPPED, ERROR),
        task=TaskState.RESCUING,
        intent=Intent.RESCUE,
    ),
    "unrescue": ServerAction(
        "unrescue", _C + "os-unrescue", _states(RESCUED), task=TaskState.UNRESCUING, intent=Intent.UNRESCUE
    ),
    "changePassword": ServerAction(
        "changePassword",
        _C + "os-admin-password",
        _states(ACTIVE),
        task=TaskState.UPDATING_PASSWORD,
        intent=Intent.ADMIN_PASSWORD,
    ),
    "trigger_crash_dump": ServerAction(
        "trigger_crash_dump",
        _C + "servers:trigger_crash_dump",
        _states(ACTIVE, PAUSED, RESCUED, RESIZED, ERROR),
        min_version="2.17",
    ),
    # Nova's force_delete: any vm_state, idle, launched or not; carried out as the delete.
    "forceDelete": ServerAction(
        "forceDelete",
        _C + "os-deferred-delete:force",
        frozenset(VmState),
        must_have_launched=False,
        task=TaskState.DELETING,
        intent=Intent.DELETE,
    ),
    "restore": ServerAction(
        "restore",
        _C + "os-deferred-delete:restore",
        _states(SOFT_DELETED),
        task=TaskState.RESTORING,
        intent=Intent.RESTORE,
    ),
    # Nova's admin_actions: no state check; the action record is named ``resetState``.
    "os-resetState": ServerAction(
        "resetState", _C + "os-admin-actions:reset_state", check_lock=False, intent=Intent.RESET_STATE
    ),
    "injectNetworkInfo": ServerAction(
        "injectNetworkInfo", _C + "os-admin-actions:inject_network_info", intent=Intent.NO_OP
    ),
    # A read: no state, task or lock check (only the host check, in the gateway), no action record.
    "os-getConsoleOutput": ServerAction(
        "os-getConsoleOutput",
        _C + "os-console-output",
        task_states=None,
        check_lock=False,
        intent=Intent.CONSOLE_OUTPUT,
    ),
    "addSecurityGroup": ServerAction("addSecurityGroup", _C + "os-security-groups:add"),
    "removeSecurityGroup": ServerAction("removeSecurityGroup", _C + "os-security-groups:remove"),
    "addFixedIp": ServerAction("addFixedIp", _C + "os-multinic:add", max_version="2.43"),
    "removeFixedIp": ServerAction("removeFixedIp", _C + "os-multinic:remove", max_version="2.43"),
    "addFloatingIp": ServerAction("addFloatingIp", _C + "os-floating-ips:add", max_version="2.43"),
    "removeFloatingIp": ServerAction("removeFloatingIp", _C + "os-floating-ips:remove", max_version="2.43"),
    "os-getVNCConsole": ServerAction(
        "os-getVNCConsole", _C + "os-remote-consoles", check_lock=False, max_version="2.5"
    ),
    "os-getSPICEConsole": ServerAction(
        "os-getSPICEConsole", _C + "os-remote-consoles", check_lock=False, max_version="2.5"
    ),
    "os-getRDPConsole": ServerAction(
        "os-getRDPConsole", _C + "os-remote-consoles", check_lock=False, max_version="2.5"
    ),
    "os-getSerialConsole": ServerAction(
        "os-getSerialConsole", _C + "os-remote-consoles", check_lock=False, max_version="2.5"
    ),
}
"""Every ``POST /servers/{id}/action`` body key Nova knows, with its row."""

SOFT_REBOOT = ServerAction(
    "reboot", _C + "servers:reboot", _states(ACTIVE), task=TaskState.REBOOTING, intent=Intent.REBOOT
)
"""A SOFT reboot: the ``reboot`` row narrowed as ``compute/api.py`` narrows it (ACTIVE, idle)."""
HARD_REBOOT = SERVER_ACTIONS["reboot"]

SOFT_REBOOT_TASKS = (TaskState.REBOOTING, TaskState.REBOOT_PENDING, TaskState.REBOOT_STARTED)
HARD_REBOOT_TASKS = (TaskState.REBOOTING_HARD, TaskState.REBOOT_PENDING_HARD, TaskState.REBOOT_STARTED_HARD)
"""Nova's reboot task sequence (``compute/api.py`` sets the first, ``compute/manager.py`` the
pending one when it takes the request up and the started one before the driver reboots)."""


def reboot(reboot_type: str) -> ServerAction:
    """The row for a reboot of ``reboot_type`` (SOFT or HARD)."""
    return HARD_REBOOT if reboot_type == "HARD" else SOFT_REBOOT


# ----- server operations that are not ``/action`` body keys ------------------------------------


def metadata_write(method: str) -> ServerAction:
    """Metadata writes (``update_metadata``, ``delete_metadata``): writable states, idle, launched."""
    return ServerAction(method, None, WRITABLE_STATES, intent=Intent.UPDATE)


def tags_write(method: str) -> ServerAction:
    """Tag writes: Nova checks only the vm_state (no task, no launch, no lock check)."""
    return ServerAction(
        method,
        None,
        WRITABLE_STATES,
        task_states=None,
        must_have_launched=False,
        check_lock=False,
        intent=Intent.UPDATE,
    )


DELETE = ServerAction("delete", _C + "servers:delete", task=TaskState.DELETING, intent=Intent.DELETE)
"""Delete: refused by a lock (for non-admins), allowed from any state."""

SOFT_DELETE = ServerAction(
    "delete",
    _C + "servers:delete",
    frozenset(VmState),
    task_states=None,
    task=TaskState.SOFT_DELETING,
    intent=Intent.SOFT_DELETE,
)
"""A delete while a reclaim interval is configured (Nova's ``soft_delete``): any state, but only
a server that has launched (one that never did is deleted at once, as Nova does); recorded as
Nova records it, as ``delete``."""


def carried_out() -> Collection[str]:
    """The body keys kubenova carries out (the rest are refused as unsupported)."""
    return [key for key, row in SERVER_ACTIONS.items() if row.intent is not None]
