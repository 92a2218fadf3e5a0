"""Aggregate isolation filters: tenants and images kept to the aggregates meant for them.

Aggregate metadata values are comma-separated lists here, as Nova's
``aggregate_metadata_get_by_host`` splits them.

* AggregateMultiTenancyIsolation: a host in an aggregate with ``filter_tenant_id`` (or any key
  starting with it, ``filter_tenant_id_2`` ...) takes only servers of those projects; other hosts
  take anyone's.
* AggregateImagePropertiesIsolation: for each metadata key of the host's aggregates (only keys
  starting with ``<namespace><separator>`` when a namespace is configured) that the image also
  sets as a property, the image's value must be one of the aggregate's. Images without the
  property pass (Nova's rule). Nova only looks at properties its image schema knows; kubenova
  compares whatever property the image has under that key.
"""

from __future__ import annotations

from kubenova.domain.zones import AggregateInfo
from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec

TENANT_KEY = "filter_tenant_id"


def split_metadata(aggregates: list[AggregateInfo]) -> dict[str, set[str]]:
    """Every metadata key with all its values, comma-separated values split and stripped."""
    merged: dict[str, set[str]] = {}
    for aggregate in aggregates:
        for key, value in aggregate.metadata.items():
            merged.setdefault(key, set()).update(part.strip() for part in value.split(","))
    return merged


class AggregateMultiTenancyIsolation(HostFilter):
    """Pass hosts whose aggregates name no tenant, or name the request's project."""

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        tenants: set[str] = set()
        for key, values in split_metadata(host.aggregates).items():
            if key.startswith(TENANT_KEY):
                tenants.update(values)
        tenants.discard("")
        if not tenants or spec.project_id in tenants:
            return None
        return f"the host's aggregates are reserved ({TENANT_KEY}) for projects {sorted(tenants)}"


class AggregateImagePropertiesIsolation(HostFilter):
    """Pass hosts whose aggregate metadata allows the image's value of every shared key."""

    runs_on_rebuild = True

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        namespace = self.config.aggregate_image_properties_isolation_namespace
        prefix = (
            f"{namespace}{self.config.aggregate_image_properties_isolation_separator}" if namespace else ""
        )
        for key, allowed in sorted(split_metadata(host.aggregates).items()):
            if prefix and not key.startswith(prefix):
                continue
            value = spec.image_properties.get(key)
            if value and str(value) not in allowed:
                return f"image property {key}={value!r} is not one of the aggregates' {sorted(allowed)}"
        return None
