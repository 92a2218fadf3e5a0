"""The host filter contract.

A filter answers one question about one host. Subclasses implement ``rejection`` and return
``None`` when the host passes, else a short human reason; ``host_passes`` logs that reason at
debug level (as Nova's filters do) so an operator can see why a host was skipped, and the
selection code collects the reasons for ``NoValidHost``.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.errors import Rejection
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec

LOG = logging.getLogger(__name__)


@dataclass
class FilterOutcome:
    """Hosts a filter kept, and a ``Rejection`` for each host it removed."""

    passed: list[HostState] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


class HostFilter(abc.ABC):
    """Base class of every filter.

    ``name`` is the class name (what ``enabled_filters`` lists). ``runs_on_forced_host``
    marks the checks Nova still applies when an admin forces a host with ``zone:host``: the
    zone, and the resource checks that Placement makes regardless of filters.
    ``runs_on_rebuild`` (Nova's ``RUN_ON_REBUILD``) marks the checks of the image that a rebuild
    to a new image re-runs on the server's own host (``selection.validate_host``).
    """

    name: ClassVar[str] = "HostFilter"
    runs_on_forced_host: ClassVar[bool] = False
    runs_on_rebuild: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = cls.__name__

    def __init__(self, config: SchedulerConfig | None = None) -> None:
        # Every filter takes the config, so the registry can build any of them the same way.
        self.config = config if config is not None else SchedulerConfig()

    @abc.abstractmethod
    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        """``None`` if ``host`` can take ``spec``, else why not (one short sentence)."""

    def passes_all(self, spec: RequestSpec) -> bool:
        """True when every host passes for ``spec`` whatever its state (the request asks nothing
        of this filter): ``filter_all`` then looks at no host. A shortcut only; ``rejection``
        must agree with it."""
        return False

    def host_passes(self, host: HostState, spec: RequestSpec) -> bool:
        """True if the host passes; a failing host is logged at debug level with the reason."""
        reason = self.rejection(host, spec)
        if reason is None:
            return True
        LOG.debug("%s fails %s: %s", host.name, self.name, reason)
        return False

    def filter_all(self, hosts: Iterable[HostState], spec: RequestSpec) -> FilterOutcome:
        """Split ``hosts`` into those that pass and a reasoned rejection for the others."""
        if self.passes_all(spec):
            return FilterOutcome(passed=list(hosts))
        outcome = FilterOutcome()
        for host in hosts:
            reason = self.rejection(host, spec)
            if reason is None:
                outcome.passed.append(host)
            else:
                LOG.debug("%s fails %s: %s", host.name, self.name, reason)
                outcome.rejected.append(Rejection(self.name, host.name, reason))
        return outcome
