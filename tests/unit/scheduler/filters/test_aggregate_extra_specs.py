"""AggregateInstanceExtraSpecsFilter sends flavors with aggregate extra specs to matching aggregates."""

from __future__ import annotations

import pytest

from kubenova.scheduler.filters.aggregate_extra_specs import AggregateInstanceExtraSpecsFilter
from tests.unit.scheduler.factories import make_aggregate, make_host, make_spec

SSD = "aggregate_instance_extra_specs:ssd"


@pytest.mark.parametrize(
    ("metadata", "extra_specs", "passes"),
    [
        ({}, {}, True),
        ({"ssd": "true"}, {}, True),
        ({}, {"hw:cpu_policy": "dedicated"}, True),
        ({}, {"resources:VCPU": "2", "trait:HW_CPU_X86_AVX2": "required"}, True),
        ({"ssd": "true"}, {SSD: "true"}, True),
        ({"ssd": "false"}, {SSD: "true"}, False),
        ({}, {SSD: "true"}, False),
        ({"ssd": "true", "gpus": "4"}, {SSD: "true", "aggregate_instance_extra_specs:gpus": ">= 2"}, True),
        ({"ssd": "true", "gpus": "1"}, {SSD: "true", "aggregate_instance_extra_specs:gpus": ">= 2"}, False),
        ({"tier": "gold"}, {"aggregate_instance_extra_specs:tier": "<or> silver <or> gold"}, True),
        ({"ssd": "true"}, {"ssd": "true"}, True),
        ({}, {"ssd": "true"}, False),
    ],
)
def test_scoped_extra_specs_must_match_aggregate_metadata(
    metadata: dict[str, str], extra_specs: dict[str, str], passes: bool
) -> None:
    host = make_host(aggregates=[make_aggregate("agg", ("host1",), **metadata)])
    assert (
        AggregateInstanceExtraSpecsFilter().host_passes(host, make_spec(flavor_extra_specs=extra_specs))
        is passes
    )


def test_a_host_outside_every_aggregate_fails_a_scoped_extra_spec_with_a_reason() -> None:
    reason = AggregateInstanceExtraSpecsFilter().rejection(
        make_host(), make_spec(flavor_extra_specs={SSD: "true"})
    )
    assert reason == f"no aggregate of the host sets 'ssd' (flavor extra spec {SSD}='true')"


def test_any_of_the_hosts_aggregates_may_supply_the_matching_value() -> None:
    host = make_host(aggregates=[make_aggregate("slow", ssd="false"), make_aggregate("fast", ssd="true")])
    assert AggregateInstanceExtraSpecsFilter().host_passes(host, make_spec(flavor_extra_specs={SSD: "true"}))


def test_a_mismatch_reason_lists_the_values_found() -> None:
    host = make_host(aggregates=[make_aggregate("a", ssd="no"), make_aggregate("b", ssd="false")])
    reason = AggregateInstanceExtraSpecsFilter().rejection(host, make_spec(flavor_extra_specs={SSD: "true"}))
    assert reason == "aggregate ssd='false', 'no' does not match 'true'"
