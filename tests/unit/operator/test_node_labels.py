"""Aggregate → Node labels: which labels, valid label syntax, and patches of owned keys only."""

from __future__ import annotations

import re
from typing import Any

from kubenova.handlers import aggregate_ids, node_labels
from kubenova.resources.aggregate import Aggregate

LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")


def aggregate(name: str, hosts: list[str], zone: str | None = None, **spec: Any) -> Aggregate:
    return Aggregate.model_validate(
        {"metadata": {"name": name}, "spec": {"hosts": hosts, "availabilityZone": zone, **spec}}
    )


def test_member_nodes_get_zone_and_membership_labels() -> None:
    aggregates = [aggregate("fast", ["n1", "n2"], "az1"), aggregate("gpu", ["n2"])]
    assert node_labels.desired_labels("n1", aggregates) == {
        "compute.kubenova.io/aggregate-fast": "true",
        "compute.kubenova.io/availability-zone": "az1",
    }
    assert node_labels.desired_labels("n2", aggregates) == {
        "compute.kubenova.io/aggregate-fast": "true",
        "compute.kubenova.io/aggregate-gpu": "true",
        "compute.kubenova.io/availability-zone": "az1",
    }
    assert node_labels.desired_labels("n3", aggregates) == {}


def test_a_host_in_two_zones_takes_the_first_by_name_like_the_scheduler() -> None:
    aggregates = [aggregate("b-agg", ["n1"], "zone-b"), aggregate("a-agg", ["n1"], "zone-a")]
    assert node_labels.desired_labels("n1", aggregates)[node_labels.AZ_LABEL] == "zone-a"


def test_labels_patch_touches_only_owned_keys() -> None:
    current = {
        "kubernetes.io/hostname": "n1",
        "compute.kubenova.io/aggregate-old": "true",
        "compute.kubenova.io/availability-zone": "az-old",
    }
    desired = {"compute.kubenova.io/aggregate-new": "true"}
    assert node_labels.labels_patch(current, desired) == {
        "compute.kubenova.io/aggregate-old": None,
        "compute.kubenova.io/availability-zone": None,
        "compute.kubenova.io/aggregate-new": "true",
    }
    assert node_labels.labels_patch({**desired, "other": "x"}, desired) is None


def test_long_names_and_odd_zones_still_make_valid_labels() -> None:
    key = node_labels.aggregate_label("a" * 80)
    assert key.startswith(node_labels.AGGREGATE_LABEL_PREFIX)
    assert LABEL_NAME.match(key.split("/")[1])
    assert node_labels.aggregate_label("a" * 80) != node_labels.aggregate_label("a" * 81)
    assert node_labels.label_value("az1") == "az1"
    odd = node_labels.label_value("Zone One (east)")
    assert LABEL_NAME.match(odd)
    assert odd.startswith("Zone-One--east")
    assert node_labels.label_value("Zone One") != node_labels.label_value("Zone-One")


def test_missing_hosts_and_next_id() -> None:
    agg = aggregate("a", ["n1", "gone"], id=3)
    assert node_labels.missing_hosts(agg, {"n1"}) == ["gone"]
    assert aggregate_ids.assign([agg, aggregate("b", [])]) == {"a": 3, "b": 4}
    assert aggregate_ids.next_id([]) == 1
