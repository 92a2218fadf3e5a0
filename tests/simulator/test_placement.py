"""Placement decisions (pure): selectors, affinity, taints, readiness, capacity, messages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kubenova.kubevirt.models import VmiSpec
from kubenova.quantities import parse_quantity
from kubevirt_simulator.placement import Constraints, Demand, NodeView, demand_of, node_view, place

GI = 2**30


def node(name: str, *, cpu: str = "16", memory: str = "64Gi", pods: str = "110", **extra: Any) -> NodeView:
    labels = {"kubernetes.io/hostname": name, "kubevirt.io/schedulable": "true", **extra.pop("labels", {})}
    return NodeView(
        name=name,
        labels=labels,
        allocatable=Demand(parse_quantity(cpu), parse_quantity(memory), parse_quantity(pods)),
        **extra,
    )


def spec(**fields: Any) -> VmiSpec:
    return VmiSpec.model_validate(fields)


ONE_GIG = Demand(Decimal("0.1"), Decimal(GI), Decimal(1))


def test_demand_follows_kubevirt_defaults() -> None:
    vmi = spec(domain={"cpu": {"cores": 2, "sockets": 2}, "memory": {"guest": "4Gi"}})
    assert demand_of(vmi, Decimal(10)) == Demand(Decimal("0.4"), Decimal(4 * GI), Decimal(1))
    explicit = spec(
        domain={"resources": {"requests": {"cpu": "1500m", "memory": "3Gi"}}, "memory": {"guest": "8Gi"}}
    )
    assert demand_of(explicit, Decimal(10)) == Demand(Decimal("1.5"), Decimal(3 * GI), Decimal(1))
    assert demand_of(spec(), Decimal(10)).cpu == Decimal("0.1")


def test_least_loaded_node_wins_then_name() -> None:
    nodes = [node("b"), node("a"), node("c")]
    usage = {"a": Demand(memory=Decimal(10 * GI)), "c": Demand(memory=Decimal(GI))}
    assert place(nodes, ONE_GIG, usage, Constraints()).node == "b"
    assert place(nodes, ONE_GIG, {}, Constraints()).node == "a"


def test_node_selector_and_schedulable_label() -> None:
    nodes = [
        node("a", labels={"pool": "gpu"}),
        node("b"),
        node("c", labels={"pool": "gpu", "kubevirt.io/schedulable": "false"}),
    ]
    result = place(nodes, ONE_GIG, {}, Constraints(node_selector={"pool": "gpu"}))
    assert result.node == "a"
    miss = place(nodes, ONE_GIG, {}, Constraints(node_selector={"pool": "tpu"}))
    assert miss.node is None
    assert miss.message == "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ({"key": "zone", "operator": "In", "values": ["z2", "z3"]}, "b"),
        ({"key": "zone", "operator": "NotIn", "values": ["z1"]}, "b"),
        ({"key": "ssd", "operator": "Exists"}, "a"),
        ({"key": "ssd", "operator": "DoesNotExist"}, "b"),
        ({"key": "cores", "operator": "Gt", "values": ["32"]}, "b"),
        ({"key": "cores", "operator": "Lt", "values": ["32"]}, "a"),
    ],
)
def test_required_node_affinity(expression: dict[str, Any], expected: str) -> None:
    nodes = [
        node("a", labels={"zone": "z1", "ssd": "", "cores": "16"}),
        node("b", labels={"zone": "z2", "cores": "64"}),
    ]
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [expression]}]
            }
        }
    }
    assert place(nodes, ONE_GIG, {}, Constraints(affinity=affinity)).node == expected


def test_affinity_terms_are_ored_and_match_fields_by_name() -> None:
    nodes = [node("a"), node("b"), node("c")]
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["c"]}]},
                    {
                        "matchExpressions": [
                            {"key": "kubernetes.io/hostname", "operator": "In", "values": ["b"]}
                        ]
                    },
                ]
            }
        }
    }
    usage = {"b": Demand(memory=Decimal(GI))}
    assert place(nodes, ONE_GIG, usage, Constraints(affinity=affinity)).node == "c"


def test_taints_need_tolerations() -> None:
    tainted = node("a", taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}])
    prefer = node("b", taints=[{"key": "soft", "effect": "PreferNoSchedule"}])
    result = place([tainted], ONE_GIG, {}, Constraints())
    assert result.message == "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: db}."
    tolerate = Constraints(
        tolerations=[{"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}]
    )
    assert place([tainted], ONE_GIG, {}, tolerate).node == "a"
    assert place([tainted], ONE_GIG, {}, Constraints(tolerations=[{"operator": "Exists"}])).node == "a"
    wrong_value = Constraints(tolerations=[{"key": "dedicated", "value": "web"}])
    assert place([tainted], ONE_GIG, {}, wrong_value).node is None
    assert place([prefer], ONE_GIG, {}, Constraints()).node == "b"


def test_not_ready_and_cordoned_nodes_are_skipped() -> None:
    nodes = [node("down", ready=False), node("cordoned", unschedulable=True), node("up")]
    assert place(nodes, ONE_GIG, {}, Constraints()).node == "up"
    result = place(nodes[:2], ONE_GIG, {}, Constraints())
    assert result.node is None
    assert result.message == (
        "0/2 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, "
        "1 node(s) were unschedulable."
    )


def test_capacity_counts_memory_cpu_and_pods() -> None:
    small = node("small", cpu="1", memory="2Gi", pods="2")
    assert place([small], Demand(Decimal(1), Decimal(2 * GI), Decimal(1)), {}, Constraints()).node == "small"
    used = {"small": Demand(Decimal("0.5"), Decimal(GI), Decimal(2))}
    result = place([small], Demand(Decimal(1), Decimal(2 * GI), Decimal(1)), used, Constraints())
    assert result.node is None
    assert result.message == (
        "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods."
    )


def test_exclude_and_empty_inventory() -> None:
    assert place([node("a")], ONE_GIG, {}, Constraints(), exclude=["a"]).node is None
    assert "no nodes available" in place([], ONE_GIG, {}, Constraints()).message


def test_node_view_reads_the_api_object() -> None:
    view = node_view(
        {
            "metadata": {"name": "n1", "labels": {"x": "y"}},
            "spec": {"unschedulable": True, "taints": [{"key": "k", "effect": "NoSchedule"}]},
            "status": {
                "capacity": {"cpu": "8", "memory": "16Gi", "pods": "10"},
                "allocatable": {"cpu": "7500m", "memory": "15Gi", "pods": "10"},
                "conditions": [{"type": "Ready", "status": "True"}],
            },
        }
    )
    assert view.allocatable == Demand(Decimal("7.5"), Decimal(15 * GI), Decimal(10))
    assert view.ready
    assert view.unschedulable
    assert view.labels == {"x": "y"}
