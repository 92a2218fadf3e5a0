"""AggregateInstanceExtraSpecsFilter: flavors that ask for aggregate metadata.

A flavor extra spec ``aggregate_instance_extra_specs:ssd=true`` sends its servers only to hosts
in an aggregate whose metadata has ``ssd`` matching ``true`` (see ``extra_specs_ops`` for the
operators). Keys of other scopes (``hw:...``) are not this filter's business. Unscoped keys
without a colon are matched too, as Nova still does for old flavors.
"""

from __future__ import annotations

from kubenova.scheduler.filters import extra_specs_ops
from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec

SCOPE = "aggregate_instance_extra_specs"


class AggregateInstanceExtraSpecsFilter(HostFilter):
    """Pass hosts whose aggregates' metadata satisfy every scoped extra spec of the flavor."""

    def passes_all(self, spec: RequestSpec) -> bool:
        return not spec.flavor_extra_specs

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        if not spec.flavor_extra_specs:
            return None
        metadata = host.metadata
        for full_key, requirement in sorted(spec.flavor_extra_specs.items()):
            key = _aggregate_key(full_key)
            if key is None:
                continue
            values = metadata.get(key)
            if not values:
                return f"no aggregate of the host sets {key!r} (flavor extra spec {full_key}={requirement!r})"
            if not any(extra_specs_ops.match(value, requirement) for value in values):
                shown = ", ".join(repr(v) for v in sorted(values))
                return f"aggregate {key}={shown} does not match {requirement!r}"
        return None


def _aggregate_key(full_key: str) -> str | None:
    """The metadata key an extra spec refers to, or None when it is another scope's key."""
    scope, sep, rest = full_key.partition(":")
    if not sep:
        return full_key
    return rest if scope == SCOPE else None
