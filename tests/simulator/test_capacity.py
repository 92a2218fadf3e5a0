"""Capacity bookkeeping: cached usage, assumed placements, migration target reservations."""

from __future__ import annotations

import random
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


def capacity(nodes: list[dict[str, Any]], vmis: list[dict[str, Any]]) -> Capacity:
    """Capacity over ``nodes``, told of each of ``vmis`` as the VMI watch handler tells it."""
    cap = Capacity(SimulatorConfig(), Objects(nodes))  # type: ignore[arg-type]
    for obj in vmis:
        cap.observe(obj)
    return cap


def test_usage_counts_placed_non_final_vmis() -> None:
    cap = capacity(
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
    cap = capacity([node("a"), node("b")], [first, second])
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
    cap = capacity([node("a"), node("b")], [moving, waiting])
    target = cap.reserve_target("mig-1", VirtualMachineInstance.model_validate(moving), exclude=["a"])
    assert target.node == "b"
    assert cap.schedule(VirtualMachineInstance.model_validate(waiting)).node is None
    cap.release_target("mig-1")
    assert cap.schedule(VirtualMachineInstance.model_validate(waiting)).node == "b"


def test_not_ready_annotation_counts_before_the_status_says_so() -> None:
    down = node("a")
    down["metadata"]["annotations"] = {"kubevirt-simulator.kubenova.io/ready": "false"}
    cap = capacity([down], [vmi("x")])
    result = cap.schedule(VirtualMachineInstance.model_validate(vmi("x")))
    assert result.node is None
    assert "not-ready" in result.message


def test_usage_kept_incrementally_is_what_a_full_count_gives() -> None:
    """A seeded random run of watch news, placements and deletions: after every step the usage
    kept incrementally equals a count over the VMIs as last observed (plus the assumed ones)."""
    rng = random.Random(11)
    nodes = ["a", "b", "c"]
    cap = capacity([node(n, memory="1000Gi") for n in nodes], [])
    current: dict[str, dict[str, Any]] = {}  # name -> the VMI as last observed
    assumed: dict[str, str] = {}
    for step in range(600):
        name = f"v{rng.randrange(25)}"
        roll = rng.random()
        if roll < 0.15 and name in current:
            cap.forget(f"uid-{name}")
            current.pop(name)
            assumed.pop(name, None)
        elif roll < 0.35 and name in current and name not in assumed:
            placed = cap.schedule(VirtualMachineInstance.model_validate(current[name]))
            if placed.node:
                assumed[name] = placed.node
        else:
            phase = rng.choice(["Scheduling", "Scheduled", "Running", "Succeeded", "Failed"])
            bound = rng.choice([None, *nodes]) if phase != "Scheduling" else None
            memory = f"{rng.randrange(1, 4)}Gi"
            current[name] = vmi(name, memory, bound, phase, rv=str(step + 1))
            cap.observe(current[name])
        expected: dict[str, Demand] = {}
        for key, obj in current.items():
            where = obj["status"].get("nodeName") or assumed.get(key)
            if where and obj["status"]["phase"] not in ("Succeeded", "Failed"):
                demand = cap.demand(VirtualMachineInstance.model_validate(obj).spec)
                expected[where] = expected.get(where, Demand()) + demand
        assert cap.usage() == expected, f"step {step}"
