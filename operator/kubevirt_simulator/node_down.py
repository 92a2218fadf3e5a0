"""What KubeVirt does with the VMIs of a Node that went down (the simulator's ``ready=false``
annotation: its kubelet and virt-handler stop answering, the Node turns NotReady).

- virt-handler on that Node is gone: nothing updates the VMIs on it. They keep the status they
  had (a Running VMI still shows Running), their guests are not shut down, and a deleted one
  waits with its finalizer: virt-handler is the one that would stop the guest and let it go.
- Kubernetes cannot confirm that a pod on a Node that does not answer has ended, so the
  virt-launcher pods stay until the Node is fenced: the ``node.kubernetes.io/out-of-service``
  taint (Kubernetes' non-graceful node shutdown: the pod garbage collector force-deletes the
  Node's pods and volumes are detached) or the Node's deletion.
- Then virt-controller's node controller (``pkg/virt-controller/watch/node.go``) finds no live
  virt-launcher pod for the VMIs of the unresponsive Node and marks them Failed
  (``NodeUnresponsive``); a deleted one is then let go, and the VM controller starts a VM whose
  run strategy asks for it again.

The simulator plays the fencing's effect on the launcher pods (it owns them) by reading the taint.
A deleted Node is handled by ``vmi_lifecycle`` (the VMIs on it fail at once).
"""

from __future__ import annotations

from kubenova.k8s import JsonObject as Obj
from kubevirt_simulator.nodes import is_marked_not_ready

OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service"
NODE_UNRESPONSIVE = "NodeUnresponsive"


def handler_gone(node: Obj | None) -> bool:
    """Whether virt-handler on ``node`` is gone (the Node marked not ready)."""
    return node is not None and is_marked_not_ready(node)


def fenced(node: Obj) -> bool:
    """Whether ``node`` carries the out-of-service taint (its pods are force-deleted)."""
    taints = (node.get("spec") or {}).get("taints") or []
    return any(t.get("key") == OUT_OF_SERVICE_TAINT for t in taints)


def failure(node: Obj | None) -> tuple[str, str] | None:
    """virt-controller's verdict on a non-final VMI of ``node`` whose virt-handler is gone:
    Failed once no live launcher pod is left (the Node fenced), else ``None`` (left as it is)."""
    if node is None or not handler_gone(node) or not fenced(node):
        return None
    name = (node.get("metadata") or {}).get("name")
    return NODE_UNRESPONSIVE, f"virt-handler on node {name} is unresponsive and no virt-launcher pod is alive"
