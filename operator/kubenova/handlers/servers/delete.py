"""Deleting a Server (kopf's finalizer keeps it until this handler succeeds): task ``deleting``
→ VM and VMI deleted (a user-data Secret follows the Server by garbage collection) → wait until
the VM and VMI are really gone → capacity released → the finalizer goes and the object with it.

Nothing here needs the VM to exist, so a Server that never got one (ERROR, NoValidHost, a
missing flavor) deletes at once.
"""

from __future__ import annotations

import asyncio
from typing import Any

import kopf

from kubenova import events
from kubenova.handlers import runtime
from kubenova.handlers.runtime import Runtime, ServerRef
from kubenova.handlers.servers import requests, transitions, writer
from kubenova.kubevirt.client import VirtualMachines
from kubenova.resources.base import GROUP, VERSION
from kubenova.resources.server import Server

GONE_POLL_SECONDS = 15.0


@kopf.on.delete(GROUP, VERSION, "servers")
async def delete_server(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    rt = runtime.of(memo)
    ref = ServerRef.of(body)
    async with rt.locks.hold(ref):
        server = await tear_down(rt, ref)
    if server is not None:
        rt.placement.release(server.server_id)
        events.post(server, reason="Deleted", message="VirtualMachine gone; capacity released")
    rt.locks.forget(ref)


async def tear_down(rt: Runtime, ref: ServerRef) -> Server | None:
    """Delete what the Server owns; ``kopf.TemporaryError`` until it is all gone."""
    server = await writer.read(rt, ref)
    if server is None:
        return None
    if server.status.vm_state is not None:
        updated = await writer.apply(
            rt, ref, lambda s: transitions.begin_delete(s, requests.request_id(s)), current=server
        )
        server = updated or server
    vms = VirtualMachines(rt.client)
    namespace, name = ref.namespace, server.status.vm_name or ref.name
    await vms.delete(namespace, name)
    await vms.delete_instance(namespace, name)
    # Poll a little here rather than through kopf retries: a VM usually goes within seconds, and
    # each kopf retry is logged (and posted) as a failure.
    deadline = asyncio.get_running_loop().time() + GONE_POLL_SECONDS
    while await vms.get(namespace, name) is not None or await vms.get_instance(namespace, name) is not None:
        if asyncio.get_running_loop().time() > deadline:
            raise kopf.TemporaryError("Waiting for the VirtualMachine and its instance to be gone", delay=2)
        await asyncio.sleep(0.5)
    return server
