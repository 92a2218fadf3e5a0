"""Aggregate metadata resolves to one number per host: the minimum valid value, else the default."""

from __future__ import annotations

import pytest

from kubenova.domain.zones import AggregateInfo
from kubenova.resources.aggregate import Aggregate, AggregateSpec
from kubenova.scheduler.aggregates import metadata_values, minimum_number
from tests.unit.scheduler.factories import make_aggregate


def test_without_the_key_the_default_is_used() -> None:
    resolved = minimum_number([make_aggregate("a", ssd="true")], "cpu_allocation_ratio", 4.0)
    assert (resolved.value, resolved.source, resolved.problems) == (4.0, "config", ())


def test_the_smallest_value_wins_when_several_aggregates_set_the_key() -> None:
    aggregates = [
        make_aggregate("big", cpu_allocation_ratio="16.0"),
        make_aggregate("small", cpu_allocation_ratio="2"),
        make_aggregate("mid", cpu_allocation_ratio="8"),
    ]
    resolved = minimum_number(aggregates, "cpu_allocation_ratio", 4.0, positive=True)
    assert resolved.value == 2.0
    assert resolved.source == "aggregate 'small'"


@pytest.mark.parametrize("bad", ["fast", "", "nan", "inf", "0", "-1.5"])
def test_unusable_ratios_are_ignored_with_a_reason(bad: str) -> None:
    aggregates = [
        make_aggregate("typo", cpu_allocation_ratio=bad),
        make_aggregate("ok", cpu_allocation_ratio="3"),
    ]
    resolved = minimum_number(aggregates, "cpu_allocation_ratio", 4.0, positive=True)
    assert resolved.value == 3.0
    assert len(resolved.problems) == 1
    assert "typo" in resolved.problems[0]
    assert repr(bad) in resolved.problems[0]


def test_negative_values_are_fine_for_multipliers() -> None:
    resolved = minimum_number(
        [make_aggregate("stack", ram_weight_multiplier="-1.0")], "ram_weight_multiplier", 1.0
    )
    assert resolved.value == -1.0


def test_metadata_values_collects_every_value_of_a_key() -> None:
    merged = metadata_values([make_aggregate("a", ssd="true", gpu="a100"), make_aggregate("b", ssd="false")])
    assert merged == {"ssd": {"true", "false"}, "gpu": {"a100"}}


def test_aggregate_info_is_built_from_the_custom_resource() -> None:
    aggregate = Aggregate.model_validate(
        {
            "metadata": {"name": "fast-nodes"},
            "spec": AggregateSpec(
                id=3, name="fast", availability_zone="az1", hosts=["n1", "n2"], metadata={"ssd": "true"}
            ).model_dump(),
        }
    )
    assert AggregateInfo.from_resource(aggregate) == AggregateInfo(
        name="fast", availability_zone="az1", hosts=frozenset({"n1", "n2"}), metadata={"ssd": "true"}
    )
