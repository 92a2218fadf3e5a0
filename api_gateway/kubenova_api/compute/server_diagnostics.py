"""``GET /servers/{id}/diagnostics``: Nova's checks, then what KubeVirt reports of the instance.

Nova (``compute/api.py`` ``check_instance_host``, the compute manager's power-state check): a
server without a host is "not ready" (409); one whose power state is not RUNNING cannot be
diagnosed (409 "Cannot 'get_diagnostics' instance X while it is in power state Y"). KubeVirt runs
guests with libvirt/QEMU-KVM inside virt-launcher, so the driver is reported as ``libvirt``;
counters (CPU time, NIC and disk I/O, memory use) are not in a VMI's status (KubeVirt exports them
as metrics), so they are ``null``, which Nova's format allows.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kubenova.resources import Server
from kubenova.resources.server import PowerStateName
from kubenova_api import errors
from kubenova_api.store import Store
from kubenova_api.views.server_diagnostics import Diagnostics

_POWER_STATE_NAMES = {
    PowerStateName.NOSTATE: "pending",
    PowerStateName.RUNNING: "running",
    PowerStateName.PAUSED: "paused",
    PowerStateName.SHUTDOWN: "shutdown",
    PowerStateName.CRASHED: "crashed",
    PowerStateName.SUSPENDED: "suspended",
}
"""Nova's ``power_state.STATE_MAP``: the names its messages and diagnostics use."""


async def diagnose(store: Store, server: Server) -> Diagnostics:
    if not server.status.host:
        raise errors.ConflictError(f"Instance {server.server_id} is not ready")
    power = server.status.power_state or PowerStateName.NOSTATE
    state = _POWER_STATE_NAMES[power]
    name = server.status.vm_name or server.metadata.name
    facts = await store.instances.facts(server.metadata.namespace or "", name)
    if power is not PowerStateName.RUNNING or facts is None or facts.phase != "Running":
        raise errors.ConflictError(
            f"Cannot 'get_diagnostics' instance {server.server_id} while it is in power state {state}"
        )
    uptime = None
    if facts.running_since is not None:
        uptime = max(0, int((datetime.now(UTC) - facts.running_since).total_seconds()))
    return Diagnostics(state=state, uptime=uptime, instance=facts)
