"""validate_host: a rebuild to a new image re-runs the image's filters on the server's own host."""

from __future__ import annotations

import dataclasses

import pytest

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.filters.registry import build_filters
from kubenova.scheduler.selection import FORCED_HOST_STEP, NoValidHost, validate_host
from tests.unit.scheduler.factories import make_host, make_spec

AMD64 = {"kubernetes.io/arch": "amd64"}
CONFIG = SchedulerConfig()
ALL_IMAGE_FILTERS = dataclasses.replace(
    CONFIG,
    enabled_filters=(*CONFIG.enabled_filters, "IsolatedHostsFilter", "AggregateImagePropertiesIsolation"),
)


def test_only_the_image_filters_run_on_rebuild_as_nova_marks_them() -> None:
    marked = {f.name for f in build_filters(ALL_IMAGE_FILTERS) if f.runs_on_rebuild}
    assert marked == {"ImagePropertiesFilter", "IsolatedHostsFilter", "AggregateImagePropertiesIsolation"}


def test_an_image_of_another_architecture_is_refused_naming_the_filter() -> None:
    host = make_host("node-a", labels=AMD64)
    spec = make_spec(forced_host="node-a", image_properties={"hw_architecture": "aarch64"})
    with pytest.raises(NoValidHost) as caught:
        validate_host(spec, [make_host("node-b"), host], CONFIG)
    error = caught.value
    assert error.filter_counts == [(FORCED_HOST_STEP, 2, 1), ("ImagePropertiesFilter", 1, 0)]
    assert "ImagePropertiesFilter: (start: 1, end: 0)" in error.details
    assert [(r.filter_name, r.host) for r in error.rejections] == [("ImagePropertiesFilter", "node-a")]


def test_a_matching_image_passes_and_nothing_is_consumed() -> None:
    host = make_host("node-a", labels=AMD64)
    before = (host.used_vcpus, host.used_memory_mb, host.used_disk_gb, host.num_instances)
    spec = make_spec(forced_host="node-a", vcpus=4, image_properties={"hw_architecture": "x86_64"})
    assert validate_host(spec, [host], CONFIG) is None
    assert (host.used_vcpus, host.used_memory_mb, host.used_disk_gb, host.num_instances) == before


def test_filters_that_do_not_run_on_rebuild_are_skipped() -> None:
    """The host is full and disabled: a rebuild keeps its place, so RAM/Compute are not asked."""
    host = make_host("node-a", labels=AMD64, enabled=False, total_memory_mb=512)
    spec = make_spec(forced_host="node-a", memory_mb=4096, image_properties={"hw_architecture": "x86_64"})
    assert validate_host(spec, [host], CONFIG) is None


def test_an_isolated_image_off_the_isolated_hosts_is_refused_when_the_filter_is_enabled() -> None:
    config = dataclasses.replace(ALL_IMAGE_FILTERS, isolated_images=("img-iso",), isolated_hosts=("node-i",))
    spec = make_spec(forced_host="node-a", image_id="img-iso")
    with pytest.raises(NoValidHost) as caught:
        validate_host(spec, [make_host("node-a")], config)
    assert caught.value.filter_counts[-1] == ("IsolatedHostsFilter", 1, 0)
    assert validate_host(spec, [make_host("node-a")], CONFIG) is None  # not enabled: not checked


def test_a_host_that_is_no_compute_host_any_more_is_no_valid_host() -> None:
    with pytest.raises(NoValidHost) as caught:
        validate_host(make_spec(forced_host="gone"), [make_host("node-a")], CONFIG)
    assert caught.value.filter_counts == [(FORCED_HOST_STEP, 1, 0)]
