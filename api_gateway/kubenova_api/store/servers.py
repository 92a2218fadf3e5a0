"""Server CRs as Nova sees them: lookup by Nova id, Nova's state triple, and spec writes that carry
the request id of the API call.

Identity: the Nova server id is ``metadata.uid``, the project is the namespace, the display name
is ``spec.name``; ``metadata.name`` is generated (``generateName``) because Nova names need not be
unique or DNS-safe.

State: the operator owns ``status`` and moves ``vmState``/``taskState`` when it acts. An action is a
``spec`` change the operator has not seen yet for a moment after the API answered; Nova sets the
task state synchronously, so ``task_state`` here reports the task a pending spec change implies
(``powering-off`` after os-stop, ``rebooting`` after reboot, ``deleting`` once deletion began).
The API's state checks and the representation both read these functions, so a second os-stop
right after the first is refused exactly as Nova refuses it.

Action record: every API-initiated action is written with the spec change in one patch:
``compute.kubenova.io/request-id`` (which the operator copies into ``status.actions``; see
``kubenova.handlers.servers.requests``), the acting user and the action name, and an entry in the
gateway's own log annotation ``compute.kubenova.io/api-actions``. The log supplies what the
operator does not record: actions it never sees (lock, unlock), the acting user (the operator
records the server's owner), and the action between the API call and the operator's first write.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from kubenova import k8s
from kubenova.domain.status_table import api_status
from kubenova.resources import GROUP, VERSION, Server
from kubenova.resources.server import DesiredPowerState, InstanceAction
from kubenova.resources.states import PowerState, TaskState, VmState
from kubenova_api.store.custom_resources import CustomResourceStore

log = logging.getLogger(__name__)

_PREFIX = "compute.kubenova.io/"
# Read by the operator (kubenova.handlers.servers.requests.REQUEST_ID_ANNOTATION); the gateway may
# not import the operator's handlers, so the name is repeated here.
REQUEST_ID_ANNOTATION = _PREFIX + "request-id"
ACTION_ANNOTATION = _PREFIX + "action"
ACTING_USER_ANNOTATION = _PREFIX + "acting-user-id"
ACTION_LOG_ANNOTATION = _PREFIX + "api-actions"
# Nova attributes that have no spec field (they never influence how the server runs).
RESERVATION_ID_ANNOTATION = _PREFIX + "reservation-id"
LAUNCH_INDEX_ANNOTATION = _PREFIX + "launch-index"
HOSTNAME_ANNOTATION = _PREFIX + "hostname"
ACCESS_IPV4_ANNOTATION = _PREFIX + "access-ipv4"
ACCESS_IPV6_ANNOTATION = _PREFIX + "access-ipv6"
DISK_CONFIG_ANNOTATION = _PREFIX + "disk-config"
SCHEDULER_HINTS_ANNOTATION = _PREFIX + "scheduler-hints"
LOCKED_BY_ANNOTATION = _PREFIX + "locked-by"
# creationTimestamp has seconds only; Nova orders servers created in the same second by creation.
CREATED_ANNOTATION = _PREFIX + "created"

# The log annotation keeps the newest entries only (annotations share a 256 KiB budget).
ACTION_LOG_LIMIT = 50

_ACTIONS = TypeAdapter(list[InstanceAction])
_HINTS = TypeAdapter(dict[str, list[str]])


def now() -> str:
    """The current time as the operator writes it (ISO 8601, UTC, seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def precise_now() -> str:
    """The current time with microseconds (UTC), for ordering by creation."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def created_at(server: Server) -> str:
    """When the server was created, with microseconds when the gateway recorded them (sortable)."""
    stamp = server.metadata.annotations.get(CREATED_ANNOTATION) or server.metadata.creation_timestamp or ""
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


# ----- Nova state ---------------------------------------------------------------------------------


def vm_state(server: Server) -> str:
    """Nova vm_state; a Server the operator has not seen yet is ``building``."""
    return server.status.vm_state or VmState.BUILDING.value


def reboot_pending(server: Server) -> bool:
    reboot = server.spec.reboot
    return reboot is not None and reboot.request_id != server.status.handled_reboot


def task_state(server: Server) -> str | None:
    """Nova task_state, including the task a spec change implies before the operator acts on it."""
    if server.metadata.deletion_timestamp:
        return TaskState.DELETING.value
    if server.status.vm_state is None:
        return TaskState.SCHEDULING.value
    task = server.status.task_state
    if task is not None:
        return task
    state = server.status.vm_state
    desired = server.spec.power_state
    if state == VmState.ACTIVE and desired is DesiredPowerState.STOPPED:
        return TaskState.POWERING_OFF.value
    if state == VmState.STOPPED and desired is DesiredPowerState.RUNNING:
        return TaskState.POWERING_ON.value
    reboot = server.spec.reboot
    if reboot is not None and reboot_pending(server) and state in (VmState.ACTIVE, VmState.ERROR):
        return (TaskState.REBOOTING_HARD if reboot.type == "HARD" else TaskState.REBOOTING).value
    return None


def status(server: Server) -> str:
    """Nova API status, from the one table in ``kubenova.resources.states``."""
    return api_status(vm_state(server), task_state(server))


def power_state(server: Server) -> int:
    """Nova's integer power state (the status stores it by name)."""
    name = server.status.power_state
    return PowerState[name.value.upper()].value if name is not None else PowerState.NOSTATE.value


# ----- annotations ------------------------------------------------------------------------------


def annotation(server: Server, key: str) -> str | None:
    return server.metadata.annotations.get(key)


def action_log(server: Server) -> list[InstanceAction]:
    """The gateway's record of API-initiated actions on ``server``, oldest first."""
    raw = annotation(server, ACTION_LOG_ANNOTATION)
    if not raw:
        return []
    try:
        return _ACTIONS.validate_json(raw)
    except ValidationError:
        log.warning("Server %s: unreadable %s annotation ignored", server.server_id, ACTION_LOG_ANNOTATION)
        return []


def scheduler_hints(server: Server) -> dict[str, list[str]]:
    """Every hint given at creation, as Nova keeps them (lists of strings)."""
    raw = annotation(server, SCHEDULER_HINTS_ANNOTATION)
    if not raw:
        return {}
    try:
        return _HINTS.validate_json(raw)
    except ValidationError:
        return {}


def encode_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def action_annotations(
    server: Server | None, action: InstanceAction, *, for_operator: bool
) -> dict[str, str]:
    """Annotations recording ``action``: the log entry, and for an action the operator carries out
    (``for_operator``) the request id it records it under.

    Actions the operator never sees (lock, unlock) leave the request-id annotation alone: the
    operator would otherwise take that id for its next action, recording it under the lock's id.
    """
    entries = [*(action_log(server) if server is not None else []), action][-ACTION_LOG_LIMIT:]
    annotations = {ACTION_LOG_ANNOTATION: encode_json([entry.to_api() for entry in entries])}
    if for_operator:
        annotations |= {
            REQUEST_ID_ANNOTATION: action.request_id,
            ACTION_ANNOTATION: action.action,
            ACTING_USER_ANNOTATION: action.user_id or "",
        }
    return annotations


# ----- the store ----------------------------------------------------------------------------------

PatchBuilder = Callable[[Server], dict[str, Any]]


class ServerStore(CustomResourceStore[Server]):
    """Servers across all project namespaces, by Nova id; spec writes that survive races.

    ``modify(server, build)`` (inherited) merge-patches ``build(server)`` conditional on the version
    ``build`` saw: ``build`` may read the server (the action log, the current tags) to compute the
    patch; a concurrent write (often the operator's status update) makes the API server refuse it,
    and it is computed again from the server as stored now.
    """

    def __init__(self, kube: k8s.Client) -> None:
        super().__init__(kube, Server)

    def describe(self, obj: Server) -> str:
        return f"Instance {obj.server_id}"

    def find(self, server_id: str) -> Server | None:
        """The server whose Nova id (uid) is ``server_id``, in any namespace."""
        return next((s for s in self.list() if s.metadata.uid == server_id), None)

    def in_namespaces(self, namespaces: set[str] | None) -> list[Server]:
        """Servers of these namespaces (all when ``None``)."""
        servers = self.list()
        return servers if namespaces is None else [s for s in servers if s.metadata.namespace in namespaces]

    async def create_server(
        self,
        *,
        namespace: str,
        generate_name: str,
        spec: Mapping[str, Any],
        annotations: Mapping[str, str],
    ) -> Server:
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": Server.crd.kind,
            "metadata": {
                "generateName": generate_name,
                "namespace": namespace,
                "annotations": dict(annotations),
            },
            "spec": dict(spec),
        }
        return await self.create(body, what=f"Server in project namespace {namespace}")

    async def fetch(self, server: Server) -> Server | None:
        """The server as stored now (not the cache), or ``None`` once it is gone."""
        return await self.read(server, what=self.describe(server))

    async def delete_server(self, server: Server) -> None:
        await self.delete(server, what=self.describe(server))
