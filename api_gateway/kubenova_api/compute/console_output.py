"""``os-getConsoleOutput``: the guest's serial console log, read where KubeVirt keeps it.

KubeVirt streams a VMI's serial console into the ``guest-console-log`` container of its
virt-launcher Pod (``spec.domain.devices.logSerialConsole``, which kubenova sets on every VM it
builds); the gateway reads it through ``pods/log``, the same way against real KubeVirt and the
simulator. Nova's answers: a server without a host is "not ready" (409, ``check_instance_host``);
a server whose guest does not run has no launcher Pod, and so no log (KubeVirt deletes the Pod
with its log when the guest stops, where libvirt keeps a file): 409 "not ready" too; a launcher
without the console log container: Nova's ``ConsoleNotAvailable`` (404). No state, task or lock
check (Nova has none) and no instance action (Nova records none).
"""

from __future__ import annotations

from kubenova.domain import console_output
from kubenova.resources import Server
from kubenova_api import errors
from kubenova_api.store import Store
from kubenova_api.store.instances import ConsoleLogMissing

CONSOLE_NOT_AVAILABLE = "Guest does not have a console available."
"""Nova's ``ConsoleNotAvailable`` message."""


async def output(store: Store, server: Server, length: int | None) -> str:
    """The ``output`` of Nova's answer for ``length`` (``None``: the whole log)."""
    not_ready = errors.ConflictError(f"Instance {server.server_id} is not ready")
    if not server.status.host:
        raise not_ready
    name = server.status.vm_name or server.metadata.name
    log = await store.instances.console_log(
        server.metadata.namespace or "", name, console_output.lines_to_fetch(length)
    )
    if log is ConsoleLogMissing.NOT_RUNNING:
        raise not_ready
    if log is ConsoleLogMissing.NOT_LOGGED:
        raise errors.NotFoundError(CONSOLE_NOT_AVAILABLE)
    assert isinstance(log, str)
    return console_output.render(log, length)
