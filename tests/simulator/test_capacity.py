"""Capacity bookkeeping: cached usage, assumed placements, migration target reservations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kubenova.kubevirt.models import VirtualMachineInstance
from kubevirt_simulator.capacity import Capacity
from kubevirt_simulator.config import SimulatorConfig
from kubevirt_simulator.placement import Demand

GI = 2**30


class Objects:
    """Stands in for an informer: only ``objects()`` is used."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items

    def objects(self) -> list[dict[str, Any]]:
        return list(self.items)


def node(name: str, memory: str = "4Gi") -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": {"kubevirt.io/schedulable": "true"}},
        "status": {
            "allocatable": {"cpu": "4", "memory": memory, "pods": "10"},
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }


def vmi(
    name: str, memory: str = "1Gi", node_name: str | None = None, phase: str = "Scheduling", rv: str = "1"
) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase}
    if node_name:
        status["nodeName"] = node_name
    return {
        "metadata": {"name": name, "namespace": "ns", "uid": f"uid-{name}", "resourceVersion": rv},
        "spec": {"domain": {"memory": {"guest": memory}}},
        "status": status,
    }


def capacity(nodes: list[dict[str, Any]], vmis: list[dict[str, Any]]) -> tuple[Capacity, Objects]:
    vmi_objects = Objects(vmis)
    return Capacity(SimulatorConfig(), Objects(nodes), vmi_objects), vmi_objects  # type: ignore[arg-type]


def test_usage_counts_placed_non_final_vmis() -> None:
    cap, _ = capacity(
        [node("a")],
        [
            vmi("x", "1Gi", "a", "Running"),
            vmi("y", "2Gi", "a", "Failed"),
            vmi("z", "1Gi", None, "Scheduling"),
        ],
    )
    usage = cap.usage()
    assert usage == {"a": Demand(Decimal("0.1"), Decimal(GI), Decimal(1))}


def test_assumed_placements_count_before_the_cache_shows_them() -> None:
    first, second = vmi("first", "3Gi"), vmi("second", "3Gi")
    cap, _ = capacity([node("a"), node("b")], [first, second])
    one = cap.schedule(VirtualMachineInstance.model_validate(first))
    two = cap.schedule(VirtualMachineInstance.model_validate(second))
    assert {one.node, two.node} == {"a", "b"}  # not both on the emptiest node
    assert cap.schedule(VirtualMachineInstance.model_validate(first)).node == one.node  # sticky
    third = vmi("third", "3Gi")
    assert cap.schedule(VirtualMachineInstance.model_validate(third)).node is None
    cap.forget("uid-first")
    assert cap.schedule(VirtualMachineInstance.model_validate(third)).node == one.node


def test_migration_targets_are_held_until_released() -> None:
    moving = vmi("moving", "3Gi", "a", "Running")
    waiting = vmi("waiting", "3Gi")
    cap, _ = capacity([node("a"), node("b")], [moving, waiting])
    target = cap.reserve_target("mig-1", VirtualMachineInstance.model_validate(moving), exclude=["a"])
    assert target.node == "b"
    assert cap.schedule(VirtualMachineInstance.model_validate(waiting)).node is None
    cap.release_target("mig-1")
    assert cap.schedule(VirtualMachineInstance.model_validate(waiting)).node == "b"


def test_not_ready_annotation_counts_before_the_status_says_so() -> None:
    down = node("a")
    down["metadata"]["annotations"] = {"kubevirt-simulator.kubenova.io/ready": "false"}
    cap, _ = capacity([down], [vmi("x")])
    result = cap.schedule(VirtualMachineInstance.model_validate(vmi("x")))
    assert result.node is None
    assert "not-ready" in result.message
