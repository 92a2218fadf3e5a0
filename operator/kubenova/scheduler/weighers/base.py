"""The host weigher contract.

A weigher returns one raw number per host; it never normalises or multiplies itself, so
weighers with different units (MiB, vCPUs, server counts) combine fairly in ``weighing``.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Sequence
from typing import ClassVar

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec

LOG = logging.getLogger(__name__)


class HostWeigher(abc.ABC):
    """Base class of every weigher.

    ``multiplier_option`` names both the ``SchedulerConfig`` field and the aggregate metadata
    key that can override it per host. ``minval``/``maxval``, when set, replace the observed
    minimum/maximum in normalisation (Nova's ``BaseWeigher`` attributes).
    """

    name: ClassVar[str] = "HostWeigher"
    multiplier_option: ClassVar[str]
    minval: ClassVar[float | None] = None
    maxval: ClassVar[float | None] = None

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = cls.__name__

    negated: ClassVar[bool] = False
    """The multiplier is applied with its sign flipped (BuildFailureWeigher)."""

    def weight_multiplier(self, host: HostState, config: SchedulerConfig) -> float:
        """The configured multiplier, or the smallest one the host's aggregates set."""
        return self.weight_multipliers([host], config)[0]

    def weight_multipliers(self, hosts: Sequence[HostState], config: SchedulerConfig) -> list[float]:
        """``weight_multiplier`` of each of ``hosts``, in order (resolved once per host and kept
        with its state, ``HostState.aggregate_number``)."""
        default = float(getattr(config, self.multiplier_option))
        sign = -1.0 if self.negated else 1.0
        values = []
        for host in hosts:
            resolved = host.aggregate_number(self.multiplier_option, default)
            for problem in resolved.problems:
                LOG.warning("Could not use %s", problem)
            values.append(sign * resolved.value)
        return values

    def weighs_nothing(self, spec: RequestSpec) -> bool:
        """True when every host weighs the same for ``spec`` (the weigher adds nothing to the
        ranking and is skipped). A shortcut only; ``_weigh_object`` must agree with it."""
        return False

    @abc.abstractmethod
    def _weigh_object(self, host: HostState, spec: RequestSpec) -> float:
        """The raw, unnormalised weight of one host: bigger means preferred at multiplier > 0."""

    def weigh_objects(self, hosts: Sequence[HostState], spec: RequestSpec) -> list[float]:
        """Raw weights of ``hosts``, in order."""
        return [self._weigh_object(host, spec) for host in hosts]
