"""Choosing the target of a move that keeps the server on its host until it is there (live
migration, evacuate): the scheduler under the placement ledger, the server group applied, the
source held as it is and the target held under ``<uid>/resize`` (``PlacementLedger.place_resize``).

The move's own status steps say how the choice is written (``begin``), whether it took
(``under_way``) and how a NoValidHost is written (``refuse``); the ledger forgets the target
hold when nothing was persisted.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import scheduling, writer
from kubenova.resources.image import Image
from kubenova.resources.server import EmbeddedFlavor, ResizeRecord, Server
from kubenova.scheduler import resize_holds
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_state import HostState
from kubenova.status import Transition

Begin = Callable[[Server, HostState], Transition | None]
Refuse = Callable[[Server, NoValidHost], Transition | None]


async def place(
    rt: Runtime,
    server: Server,
    flavor: EmbeddedFlavor,
    image: Image,
    *,
    target: str | None,
    force: bool,
    ignore: frozenset[str],
    begin: Begin,
    under_way: Callable[[Server], ResizeRecord | None],
    refuse: Refuse,
) -> tuple[Server | None, bool]:
    """Choose and persist the target; the Server afterwards, and whether the move is under way
    (False: refused, gone, or decided otherwise meanwhile). ``target`` with ``force`` skips the
    filters (Nova's forced destination); without ``force`` it is only the host ``ignore`` leaves."""
    if server.status.host is None:
        return server, False
    spec = dataclasses.replace(scheduling.request_spec(server, flavor, image), forced_host=None)
    if target is not None and force:
        spec = dataclasses.replace(spec, forced_host=target)
    latest: list[Server | None] = [server]

    async def persist(host: HostState) -> str | None:
        current = latest[0]
        if current is None:
            return None
        latest[0] = await writer.apply(rt, current, lambda s: begin(s, host))
        updated = latest[0]
        return updated.status.resize.target_host if updated and updated.status.resize else None

    source = resize_holds.placed(server.server_id, server.status.host, flavor)  # held as it is
    try:
        prep = functools.partial(scheduling.with_group, view=rt.view, server=server)
        await rt.ledger.place_resize(spec, rt.view, persist, source=source, ignore_hosts=ignore, prepare=prep)
    except NoValidHost as error:
        rt.ledger.settle(server.server_id, None)
        found: NoValidHost = error
        return await writer.apply(rt, server, lambda s: refuse(s, found)), False
    if latest[0] is None or under_way(latest[0]) is None:
        rt.ledger.settle(server.server_id, None)
        return latest[0], False
    return latest[0], True
