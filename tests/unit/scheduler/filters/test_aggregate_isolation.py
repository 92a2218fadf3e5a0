"""Aggregate isolation: tenants (filter_tenant_id) and image properties kept to their aggregates."""

from __future__ import annotations

import pytest

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.filters.aggregate_isolation import (
    AggregateImagePropertiesIsolation,
    AggregateMultiTenancyIsolation,
)
from tests.unit.scheduler.factories import make_aggregate, make_host, make_spec


@pytest.mark.parametrize(
    ("metadata", "project", "passes"),
    [
        ({}, "demo", True),
        ({"ssd": "true"}, "demo", True),
        ({"filter_tenant_id": "demo"}, "demo", True),
        ({"filter_tenant_id": "other"}, "demo", False),
        ({"filter_tenant_id": "other, demo"}, "demo", True),
        ({"filter_tenant_id": "a", "filter_tenant_id_2": "demo"}, "demo", True),
        ({"filter_tenant_id": "a", "filter_tenant_id_2": "b"}, "demo", False),
    ],
)
def test_tenant_isolation(metadata: dict[str, str], project: str, passes: bool) -> None:
    host = make_host(aggregates=[make_aggregate("agg", ("host1",), **metadata)])
    assert AggregateMultiTenancyIsolation().host_passes(host, make_spec(project_id=project)) is passes


def test_tenant_isolation_reason_names_the_projects_and_hosts_outside_aggregates_pass() -> None:
    host = make_host(aggregates=[make_aggregate("agg", ("host1",), filter_tenant_id="gold")])
    reason = AggregateMultiTenancyIsolation().rejection(host, make_spec(project_id="demo"))
    assert reason is not None
    assert "gold" in reason
    assert "filter_tenant_id" in reason
    assert AggregateMultiTenancyIsolation().host_passes(make_host(), make_spec(project_id="demo"))


@pytest.mark.parametrize(
    ("metadata", "properties", "passes"),
    [
        ({}, {"os_distro": "windows"}, True),
        ({"os_distro": "windows"}, {}, True),
        ({"os_distro": "windows"}, {"os_distro": "windows"}, True),
        ({"os_distro": "windows"}, {"os_distro": "ubuntu"}, False),
        ({"os_distro": "windows,ubuntu"}, {"os_distro": "ubuntu"}, True),
        ({"cpu_allocation_ratio": "2.0"}, {"os_distro": "ubuntu"}, True),
    ],
)
def test_image_properties_isolation(
    metadata: dict[str, str], properties: dict[str, str], passes: bool
) -> None:
    host = make_host(aggregates=[make_aggregate("agg", ("host1",), **metadata)])
    spec = make_spec(image_properties=properties)
    assert AggregateImagePropertiesIsolation().host_passes(host, spec) is passes


def test_image_properties_isolation_namespace_limits_the_keys() -> None:
    config = SchedulerConfig(aggregate_image_properties_isolation_namespace="iso")
    host = make_host(
        aggregates=[make_aggregate("agg", ("host1",), os_distro="windows", **{"iso.tier": "gold"})]
    )
    assert AggregateImagePropertiesIsolation(config).host_passes(
        host, make_spec(image_properties={"os_distro": "x"})
    )
    spec = make_spec(image_properties={"iso.tier": "silver"})
    reason = AggregateImagePropertiesIsolation(config).rejection(host, spec)
    assert reason is not None
    assert "iso.tier" in reason
