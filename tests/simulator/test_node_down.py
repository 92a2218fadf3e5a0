"""The simulator's verdict on the VMIs of a dead Node (``node_down``): left as they were while
the Node is only NotReady, Failed ``NodeUnresponsive`` once it is fenced (out-of-service)."""

from __future__ import annotations

from typing import Any

from kubevirt_simulator import node_down
from kubevirt_simulator.names import READY_ANNOTATION


def node(*, ready: bool = True, taints: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    annotations = {} if ready else {READY_ANNOTATION: "false"}
    return {"metadata": {"name": "n1", "annotations": annotations}, "spec": {"taints": taints or []}}


def test_a_ready_node_keeps_its_handler() -> None:
    assert not node_down.handler_gone(node())
    assert not node_down.handler_gone(None)
    assert node_down.failure(node()) is None


def test_a_dead_node_holds_its_vmis_until_fenced() -> None:
    dead = node(ready=False)
    assert node_down.handler_gone(dead)
    assert node_down.failure(dead) is None
    fenced = node(ready=False, taints=[{"key": node_down.OUT_OF_SERVICE_TAINT, "effect": "NoExecute"}])
    verdict = node_down.failure(fenced)
    assert verdict is not None
    assert verdict[0] == "NodeUnresponsive"
    assert "n1" in verdict[1]
