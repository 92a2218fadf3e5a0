"""Place the servers of one multi-create request together: a host for every member, or none.

Nova schedules all instances of a ``POST /servers`` with ``min_count``/``max_count`` in one
``select_destinations`` call: it picks a host for each instance in turn, consuming the chosen
host's state before the next pick (so later instances see the earlier ones, the server group's
members included), and when an instance finds no host it releases every claim of the request and
raises ``NoValidHost`` ("There are not enough hosts available."); the conductor then puts every
instance of the request in ERROR with that fault.

Here each member has its own ``RequestSpec`` (its own uid; members created with ``kubectl`` may
even differ in flavor). ``select_for_set`` picks on copies of the host states and consumes the
real ones only when every member has a host.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Sequence

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.selection import select_destination

NOT_ENOUGH_HOSTS = "There are not enough hosts available."
"""Nova's reason when not every instance of a request found a host (``_ensure_sufficient_hosts``)."""


class NotEnoughHosts(NoValidHost):
    """A multi-create did not fit whole. Its fault message is Nova's exact text (what every user
    sees); the details (admins only, as Nova's fault details) say how far the request got and
    which filter stopped the member that found no host."""

    message = f"{NoValidHost.message} {NOT_ENOUGH_HOSTS}"


def select_for_set(
    specs: Sequence[RequestSpec],
    hosts: Sequence[HostState],
    config: SchedulerConfig,
    *,
    rng: random.Random | None = None,
) -> list[HostState]:
    """One host per spec, in order (``hosts``' own objects, consumed), each pick made on host
    states that already hold the earlier members; ``NoValidHost`` and ``hosts`` untouched when
    any member finds no host (``NotEnoughHosts``)."""
    planning = copy.deepcopy(list(hosts))
    picked: list[str] = []
    for spec in specs:
        try:
            picked.append(select_destination(spec, planning, config, rng=rng).name)
        except NoValidHost as error:
            got = f"{len(picked)} of the {len(specs)} instances of the request found a host."
            details = f"{got} {error.details}"
            counts, rejections = error.filter_counts, error.rejections
            raise NotEnoughHosts(details, filter_counts=counts, rejections=rejections) from error
    by_name = {host.name: host for host in hosts}
    chosen = [by_name[name] for name in picked]
    for spec, host in zip(specs, chosen, strict=True):
        host.consume(spec)
    return chosen
