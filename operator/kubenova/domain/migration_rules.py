"""Pure: Nova's rules of a cold migration and of migration records, shared by the gateway and the
operator.

- a cold migration (``migrate``) is a resize to the same flavor (``compute/api.py`` ``resize``
  with ``flavor_id=None``): it runs through VERIFY_RESIZE and confirm/revert as a resize does;
  the source host is always excluded (libvirt cannot migrate to the host it runs on:
  ``UnableToMigrateToSelf``; ``allow_resize_to_same_host`` applies to resizes only);
- a target host given from 2.56 must be a compute host (400 ``ComputeHostNotFound``) other than
  the server's (400 ``CannotMigrateToSameHost``);
- a migration's uuid is derived from the server id and the request id, so the operator creating
  it again after a restart names the same object;
- the migration statuses Nova's cold moves go through (conductor and compute manager):
  pre-migrating → migrating → post-migrating → finished → confirmed, or reverting → reverted;
  error when the move fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from kubenova.resources.server import Server

NAMESPACE = uuid.UUID("6f1c1a52-4d0a-4b5e-9b61-6b2b1f3b9a10")
"""uuid5 namespace of kubenova's migration uuids."""

PRE_MIGRATING = "pre-migrating"
MIGRATING = "migrating"
POST_MIGRATING = "post-migrating"
FINISHED = "finished"
CONFIRMED = "confirmed"
REVERTING = "reverting"
REVERTED = "reverted"
ERROR = "error"
COLD_STATUSES = (PRE_MIGRATING, MIGRATING, POST_MIGRATING, FINISHED, CONFIRMED, REVERTING, REVERTED, ERROR)

LIVE_IN_PROGRESS = frozenset({"queued", "preparing", "running", "post-migrating"})
"""Nova's in-progress live-migration statuses (the only ones ``/servers/{id}/migrations`` shows)."""


def migration_uuid(server_id: str, request_id: str) -> str:
    """The uuid of the migration the request ``request_id`` starts for server ``server_id``."""
    return str(uuid.uuid5(NAMESPACE, f"{server_id}/{request_id}"))


def migrate_pending(server: Server) -> bool:
    """A ``spec.migrate`` request the operator has not taken up yet."""
    request = server.spec.migrate
    return request is not None and request.request_id != server.status.handled_migrate


def host_not_found(host: str) -> str:
    """Nova's ``ComputeHostNotFound`` (400 at the API)."""
    return f"Compute host {host} could not be found."


SAME_HOST = "Cannot migrate to the host where the server exists."
"""Nova's ``CannotMigrateToSameHost``."""


def target_host_refusal(server: Server, host: str | None, compute_hosts: Iterable[str]) -> str | None:
    """The 400 of a ``migrate`` to ``host`` (``None``: the scheduler chooses), or ``None``."""
    if host is None:
        return None
    if host not in set(compute_hosts):
        return host_not_found(host)
    if host == server.status.host:
        return SAME_HOST
    return None


def next_id(used: Iterable[int]) -> int:
    """One more than the highest migration id in use (Nova's ids are autoincrement integers)."""
    return max(used, default=0) + 1


# ----- live migration ----------------------------------------------------------------------------

QUEUED, PREPARING, RUNNING, COMPLETED, CANCELLED = "queued", "preparing", "running", "completed", "cancelled"
NO_FORCE_WITHOUT_HOST = "Can't force to a non-provided destination"


def live_migrate_pending(server: Server) -> bool:
    """A ``spec.liveMigrate`` request the operator has not taken up yet."""
    request = server.spec.live_migrate
    return request is not None and request.request_id != server.status.handled_live_migrate


def abort_pending(server: Server) -> bool:
    """A ``spec.liveMigrationAbort`` the operator has not taken up yet."""
    request = server.spec.live_migration_abort
    return request is not None and request.request_id != server.status.handled_live_migration_abort


def live_target_refusal(server: Server, host: str | None, compute_hosts: Iterable[str]) -> str | None:
    """The 400 of an ``os-migrateLive`` to ``host`` (Nova's ``ComputeHostNotFound`` and
    ``UnableToMigrateToSelf``), or ``None``."""
    if host is None:
        return None
    if host not in set(compute_hosts):
        return host_not_found(host)
    if host == server.status.host:
        return f"Unable to migrate instance ({server.server_id}) to current host ({host})."
    return None


def migration_of_phase(phase: str | None) -> str:
    """Nova's live-migration status for a VirtualMachineInstanceMigration phase: ``queued``
    until KubeVirt takes it up, ``preparing`` while the target pod is scheduled and prepared,
    ``running`` while memory is copied, ``completed``, ``error``."""
    if phase in (None, "", "Pending"):
        return QUEUED
    if phase in ("Scheduling", "Scheduled", "PreparingTarget", "TargetReady"):
        return PREPARING
    if phase == "Running":
        return RUNNING
    if phase == "Succeeded":
        return COMPLETED
    return ERROR


# ----- evacuation ----------------------------------------------------------------------------------
# Nova's ``compute/api.py`` ``evacuate``: the server's compute service must be down (its Node not
# Ready) or forced down, else 400 ``ComputeServiceInUse``; the migration record (type
# ``evacuation``) is ``accepted`` at the API, ``pre-migrating`` once the target is claimed
# (the resource tracker's move claim), ``done`` when the server runs there; ``error`` when no
# host is found (the conductor), ``failed`` when the rebuild on the target fails (the compute
# manager).

ACCEPTED, DONE, FAILED = "accepted", "done", "failed"
EVACUATION = "evacuation"


def evacuate_pending(server: Server) -> bool:
    """A ``spec.evacuate`` request the operator has not taken up yet."""
    request = server.spec.evacuate
    return request is not None and request.request_id != server.status.handled_evacuate


def evacuating(server: Server) -> bool:
    """An evacuation is under way (its placements held in ``status.resize``)."""
    record = server.status.resize
    return record is not None and record.migration_type == EVACUATION


def service_in_use(host: str) -> str:
    """Nova's ``ComputeServiceInUse`` (400 at the API)."""
    return f"Compute service of {host} is still in use."


EVACUATE_SAME_HOST = "The target host can't be the same one."


def evacuate_host_not_found(host: str) -> str:
    """The evacuate API's 404 for an unknown target host."""
    return f"Compute host {host} not found."


def evacuate_refusal(server: Server, up_hosts: Iterable[str]) -> str | None:
    """The 400 of an evacuation whose source host is up (``up_hosts``: the compute hosts up and
    not forced down), or ``None``."""
    host = server.status.host
    if host is not None and host in set(up_hosts):
        return service_in_use(host)
    return None
