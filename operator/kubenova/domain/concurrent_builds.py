"""Pure: nova-compute's ``max_concurrent_builds`` (default 10, 0 = unlimited).

A compute host builds at most that many servers at once; the builds beyond it wait, in the order
they came, behind nova-compute's build semaphore (``compute/manager.py``
``_build_semaphore`` around ``_do_build_and_run_instance``). Here a build is a server placed on the
host and still in vm_state building; it is *started* once its VirtualMachine exists (KubeVirt
and CDI then import its disks and start it), and it holds its slot until it leaves building
(ACTIVE, ERROR, or deleted). Under overload this keeps each host's imports, volume bindings and
starts few enough to finish, instead of every build in the queue slowing every other.

The order is the Server's ``creationTimestamp`` (a second's resolution), ties by namespace and
name: first come, first served, as far as the API server's clock tells.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

DEFAULT_MAX_CONCURRENT_BUILDS = 10
"""Nova's default (``[DEFAULT] max_concurrent_builds``)."""


@dataclass(frozen=True, order=True)
class Build:
    """A server building on a host: its place in the queue, and whether its VM exists."""

    created: str
    namespace: str
    name: str
    started: bool = field(default=False, compare=False)


def admitted(builds: Iterable[Build], limit: int) -> list[Build]:
    """The builds that may run on the host: every started one (a started build is never undone),
    then the earliest waiting ones while fewer than ``limit`` run; all of them when ``limit`` is 0."""
    every = list(builds)
    if limit <= 0:
        return every
    started = [b for b in every if b.started]
    waiting = sorted(b for b in every if not b.started)
    return started + waiting[: max(0, limit - len(started))]


def may_start(build: Build, builds: Iterable[Build], limit: int) -> bool:
    """Whether ``build`` (one of ``builds``, not started) may create its VM now."""
    return build.started or build in admitted(builds, limit)
