"""Pure: Nova's rules of a resize that the gateway and the operator share.

- ``api_refusal``: what ``compute/api.py`` ``resize`` refuses at once (400): the same flavor
  (``CannotResizeToSameFlavor``) and, for a server booted from an image, a flavor with no root
  disk (``CannotResizeDisk``: "Resize to zero disk flavor is not allowed.").
- ``disk_refusal``: what the compute host refuses (libvirt's ``migrate_disk_and_power_off``: a
  root or ephemeral disk smaller than now is ``ResizeError`` "Unable to resize disk down."); Nova
  answers the API with 202 and rolls the server back, so the operator records it as a failed
  ``resize`` action and the server stays as it was.
- which resize or confirm/revert request of the spec is still to be taken up (``pending``).
- the growth a resize adds to the project's quota (``quota_growth``).
"""

from __future__ import annotations

from dataclasses import dataclass

from kubenova.domain import footprint, migration_rules
from kubenova.domain.footprint import Footprint
from kubenova.resources.server import EmbeddedFlavor, Server
from kubenova.resources.states import TaskState, VmState

SAME_FLAVOR = "Resize requires a flavor change."
"""The API's words for Nova's CannotResizeToSameFlavor ("When resizing, instances must change flavor!")."""
ZERO_DISK = "Server disk was unable to be resized because: Resize to zero disk flavor is not allowed."
DISK_DOWN = "Resize error: Unable to resize disk down."
HOLD_SUFFIX = "/resize"
"""The second placement of a resizing server is held under ``<uid>/resize``."""


def api_refusal(current: EmbeddedFlavor, new: EmbeddedFlavor) -> str | None:
    """Nova's 400 for a resize from ``current`` to ``new``, or ``None``."""
    if new.id == current.id:
        return SAME_FLAVOR
    if new.disk == 0 and current.disk != 0:
        return ZERO_DISK
    return None


def disk_refusal(current: EmbeddedFlavor, new: EmbeddedFlavor) -> str | None:
    """The compute host's refusal of a disk that would shrink (root or ephemeral), or ``None``."""
    if new.disk < current.disk or new.ephemeral < current.ephemeral:
        return DISK_DOWN
    return None


def refusal(current: EmbeddedFlavor, new: EmbeddedFlavor) -> str | None:
    """Every reason a resize from ``current`` to ``new`` cannot be carried out."""
    return api_refusal(current, new) or disk_refusal(current, new)


def resize_pending(server: Server) -> bool:
    """A ``spec.resize`` request the operator has not taken up yet."""
    request = server.spec.resize
    return request is not None and request.request_id != server.status.handled_resize


def decision_pending(server: Server) -> bool:
    """A ``spec.resizeDecision`` (confirm or revert) the operator has not taken up yet."""
    decision = server.spec.resize_decision
    return decision is not None and decision.request_id != server.status.handled_resize_decision


def requested_task(server: Server) -> TaskState | None:
    """The task a resize or revert request implies before the operator takes it up."""
    state = server.status.vm_state
    if (
        (resize_pending(server) or migration_rules.migrate_pending(server))
        and state in (VmState.ACTIVE, VmState.STOPPED)
        and server.status.task_state is None
    ):
        return TaskState.RESIZE_PREP
    if (
        migration_rules.live_migrate_pending(server)
        and state in (VmState.ACTIVE, VmState.PAUSED)
        and server.status.task_state is None
    ):
        return TaskState.MIGRATING
    decision = server.spec.resize_decision
    if (
        decision is not None
        and decision.action == "Revert"
        and decision_pending(server)
        and state is VmState.RESIZED
    ):
        return TaskState.RESIZE_REVERTING
    return None


def extra_hold(server: Server) -> tuple[str, Footprint] | None:
    """The second placement a resizing server holds besides ``status.host`` + ``status.flavor``
    (until confirm or revert: the new host before ``resize_migrated``, the old one after), or
    ``None``. Same-host resizes hold both on one host."""
    record = server.status.resize
    if record is None or server.status.host is None:
        return None
    at_target = server.status.flavor == record.target_flavor and server.status.host == record.target_host
    if at_target:
        return record.source_host, footprint.of_flavor(record.source_flavor)
    return record.target_host, footprint.of_flavor(record.target_flavor)


@dataclass(frozen=True)
class Growth:
    """What a resize adds to the project's usage (never negative: a smaller flavor frees later)."""

    cores: int
    ram: int


def quota_growth(current: EmbeddedFlavor, new: EmbeddedFlavor) -> Growth:
    """Nova's ``_check_quota_for_upsize``: only the increase of vCPUs and RAM is checked."""
    return Growth(cores=max(new.vcpus - current.vcpus, 0), ram=max(new.ram - current.ram, 0))
