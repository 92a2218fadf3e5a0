"""os-resetState: a new ``spec.resetState.requestId`` → the vm_state asked (active or error), the
task cleared and a finished ``resetState`` action, in one status write (Nova's admin_actions).
It runs before any other step, also in the middle of an operation (which it abandons, as Nova's
reset does); nothing is done to the VirtualMachine.
"""

from __future__ import annotations

from kubenova.domain import pending
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import writer
from kubenova.resources.server import Server
from kubenova.status import operations


async def step(rt: Runtime, server: Server) -> Server | None:
    """Carry out a pending state reset. Caller holds the Server's lock."""
    if not pending.reset_pending(server) or server.status.vm_state is None:
        return server
    return await writer.apply(rt, server, operations.reset_state)
