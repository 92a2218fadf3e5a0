"""The registry builds the configured filters, in order, and rejects unknown names."""

from __future__ import annotations

import pytest

from kubenova.scheduler.config import DEFAULT_FILTERS, SchedulerConfig
from kubenova.scheduler.filters.registry import UnknownFilterError, build_filters


def test_the_default_filters_are_built_in_configured_order() -> None:
    assert [f.name for f in build_filters(SchedulerConfig())] == list(DEFAULT_FILTERS)


def test_a_custom_filter_list_is_honoured() -> None:
    config = SchedulerConfig(enabled_filters=("RamFilter", "ComputeFilter"))
    assert [f.name for f in build_filters(config)] == ["RamFilter", "ComputeFilter"]


def test_an_unknown_filter_name_is_an_error_listing_what_exists() -> None:
    with pytest.raises(UnknownFilterError, match="TrustedFilter"):
        build_filters(SchedulerConfig(enabled_filters=("RamFilter", "TrustedFilter")))
