"""Host states kept between scheduling decisions: only the usage is filled in per decision.

A host's zone, aggregates, allocation ratios and the aggregate numbers the filters and weighers
resolve (``HostState.aggregate_number``) depend on the Nodes, the Aggregates and the config, which
change rarely; working them out for 1,000 hosts takes longer than the decision itself. The cache
keeps the ``HostState`` objects and rebuilds them only when a Node or an Aggregate differs from
the last decision's (compared by value). Each decision then sets every state's usage from a
``HostUsage`` (``HostState.use``), overwriting what the previous decision consumed.

The states are shared from one decision to the next: a caller keeping one past its decision
(to write the chosen host after the decision's lock is released) takes a copy.
"""

from __future__ import annotations

from collections.abc import Sequence

from kubenova.domain.zones import AggregateInfo
from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.host_state import HostState, NodeInfo, host_templates
from kubenova.scheduler.usage import HostUsage

__all__ = ["HostStateCache"]


class HostStateCache:
    """The ``HostState`` of every Node, rebuilt when the Nodes or Aggregates change."""

    def __init__(self, config: SchedulerConfig) -> None:
        self._config = config
        self._nodes: list[NodeInfo] = []
        self._aggregates: list[AggregateInfo] = []
        self._states: list[HostState] = []

    def states(
        self, nodes: Sequence[NodeInfo], aggregates: Sequence[AggregateInfo], usage: HostUsage
    ) -> list[HostState]:
        """Every Node's state, in ``nodes`` order, with the usage ``usage`` holds now."""
        if not self._unchanged(nodes, aggregates):
            self._nodes, self._aggregates = list(nodes), list(aggregates)
            self._states = host_templates(self._nodes, self._aggregates, self._config)
        for state in self._states:
            state.use(usage.totals(state.name))
        return list(self._states)

    def _unchanged(self, nodes: Sequence[NodeInfo], aggregates: Sequence[AggregateInfo]) -> bool:
        if len(nodes) != len(self._nodes) or list(aggregates) != self._aggregates:
            return False
        return all(new is old or new == old for new, old in zip(nodes, self._nodes, strict=True))
