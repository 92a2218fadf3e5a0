"""All or nothing for a multi-create: what a Server of a reservation may do before it is placed.

The gateway writes the N Servers of one ``POST /servers`` with ``min_count``/``max_count`` one by
one, each with the reservation id and size N. Nova creates every instance of such a request or
none; a gateway that dies half-way must not leave a partial set behind. So a member is placed only
once all N members have been seen (or one of them was placed already: the set was complete then,
and a member the user deleted since does not hold up the rest); a member whose set has stayed
incomplete for ``grace`` seconds after the newest member appeared is abandoned: the operator
deletes it, as the gateway would have on a failed request. A complete set is then placed as one
request, every member or none (``handlers/servers/set_scheduling.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from kubenova.domain import names
from kubenova.resources.server import Server
from kubenova.resources.states import VmState


class Verdict(Enum):
    GO = "go"
    WAIT = "wait"
    ABANDON = "abandon"


@dataclass(frozen=True)
class ReservationCheck:
    verdict: Verdict
    wait_seconds: float = 0.0
    """For WAIT: how long until the set counts as abandoned."""


def size_of(server: Server) -> int:
    """The reservation's size (1: not part of a multi-create, or an unreadable annotation)."""
    raw = server.metadata.annotations.get(names.RESERVATION_SIZE_ANNOTATION)
    try:
        return max(int(raw or 1), 1)
    except ValueError:
        return 1


def reservation_of(server: Server) -> str | None:
    return server.metadata.annotations.get(names.RESERVATION_ID_ANNOTATION) if size_of(server) > 1 else None


def check(server: Server, members: Sequence[Server], *, newest_age: float, grace: float) -> ReservationCheck:
    """What ``server`` (not placed yet) may do, given the members of its reservation in view
    (itself included) and the age in seconds of the newest of them."""
    size = size_of(server)
    if size <= 1 or len({m.server_id for m in members}) >= size:
        return ReservationCheck(Verdict.GO)
    if any(m.status.vm_state is not None for m in members):
        return ReservationCheck(Verdict.GO)  # complete once already: a member was placed
    if newest_age >= grace:
        return ReservationCheck(Verdict.ABANDON)
    return ReservationCheck(Verdict.WAIT, grace - newest_age)


def unplaced(server: Server) -> bool:
    """Still to be placed: new, or BUILD without a host (a placed member has its host)."""
    vm_state = server.status.vm_state
    return vm_state is None or (vm_state is VmState.BUILDING and server.status.host is None)


def launch_index(server: Server) -> tuple[int, str]:
    """The order of a member in its request (Nova's launch index), then its name."""
    raw = server.metadata.annotations.get(names.LAUNCH_INDEX_ANNOTATION)
    try:
        index = int(raw or 0)
    except ValueError:
        index = 0
    return (index, server.metadata.name)
