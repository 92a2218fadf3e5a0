"""Where a VMI's virt-launcher pod would land: the kube-scheduler's job, reduced to what matters here.

Pure functions over plain views of managed Nodes. A VMI fits a Node when the Node is Ready and not
cordoned, its taints are tolerated, it matches the VMI's ``nodeSelector`` and required node affinity
(plus the ``kubevirt.io/schedulable=true`` selector every virt-launcher pod carries), and the VMI's
pod requests fit in what is left of the Node's allocatable cpu, memory and pods. Requests follow
KubeVirt: memory = ``resources.requests.memory`` or the guest memory (no launcher overhead is added,
so a Node sized for a flavor holds exactly that flavor), cpu = ``resources.requests.cpu`` or
vCPUs / cpu-allocation-ratio. Among fitting Nodes the least loaded (by memory, then cpu) wins, then
the name, so placement is deterministic. When nothing fits, the message is worded like the
kube-scheduler's FailedScheduling message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kubenova.kubevirt.models import VmiSpec
from kubenova.quantities import parse_quantity
from kubevirt_simulator.names import NOT_READY_TAINT, SCHEDULABLE_LABEL

ZERO = Decimal(0)


@dataclass(frozen=True)
class Demand:
    """Requests of one virt-launcher pod (or the sum of several)."""

    cpu: Decimal = ZERO
    memory: Decimal = ZERO
    pods: Decimal = ZERO

    def __add__(self, other: Demand) -> Demand:
        return Demand(self.cpu + other.cpu, self.memory + other.memory, self.pods + other.pods)

    def __sub__(self, other: Demand) -> Demand:
        return Demand(self.cpu - other.cpu, self.memory - other.memory, self.pods - other.pods)


@dataclass(frozen=True)
class NodeView:
    name: str
    labels: Mapping[str, str]
    allocatable: Demand
    ready: bool = True
    unschedulable: bool = False
    taints: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class Constraints:
    """The pod-scheduling parts of a VMI spec."""

    node_selector: Mapping[str, str] = field(default_factory=dict)
    affinity: Mapping[str, Any] | None = None
    tolerations: Sequence[Mapping[str, Any]] = ()

    @classmethod
    def of(cls, spec: VmiSpec) -> Constraints:
        return cls(dict(spec.node_selector), spec.affinity, list(spec.tolerations))


@dataclass(frozen=True)
class Placement:
    node: str | None
    message: str = ""
    """Why nothing fits (kube-scheduler wording); empty when a node was chosen."""


def _quantity(values: Mapping[str, str], key: str) -> Decimal | None:
    raw = values.get(key)
    return None if raw is None else parse_quantity(raw)


def demand_of(spec: VmiSpec, cpu_allocation_ratio: Decimal) -> Demand:
    """The requests KubeVirt would put on the VMI's virt-launcher pod."""
    domain = spec.domain
    requests = domain.resources.requests if domain.resources else {}
    limits = domain.resources.limits if domain.resources else {}
    memory = _quantity(requests, "memory") or _quantity(limits, "memory")
    if memory is None and domain.memory and domain.memory.guest:
        memory = parse_quantity(domain.memory.guest)
    cpu = _quantity(requests, "cpu") or _quantity(limits, "cpu")
    if cpu is None:
        topology = domain.cpu
        vcpus = 1
        if topology is not None:
            vcpus = (topology.cores or 1) * (topology.sockets or 1) * (topology.threads or 1)
        cpu = Decimal(vcpus) / cpu_allocation_ratio
    return Demand(cpu=cpu, memory=memory or ZERO, pods=Decimal(1))


def node_view(node: Mapping[str, Any]) -> NodeView:
    """A NodeView from a Node object as the API serves it."""
    meta = node.get("metadata") or {}
    spec = node.get("spec") or {}
    status = node.get("status") or {}
    alloc = status.get("allocatable") or status.get("capacity") or {}
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
    )
    return NodeView(
        name=meta.get("name", ""),
        labels=dict(meta.get("labels") or {}),
        allocatable=Demand(
            cpu=parse_quantity(alloc.get("cpu", "0")),
            memory=parse_quantity(alloc.get("memory", "0")),
            pods=parse_quantity(alloc.get("pods", "0")),
        ),
        ready=ready,
        unschedulable=bool(spec.get("unschedulable")),
        taints=list(spec.get("taints") or []),
    )


def _expression_matches(expr: Mapping[str, Any], value: str | None) -> bool:
    op = expr.get("operator")
    values = [str(v) for v in expr.get("values") or []]
    if op == "In":
        return value is not None and value in values
    if op == "NotIn":
        return value is None or value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt") and value is not None and len(values) == 1:
        try:
            left, right = int(value), int(values[0])
        except ValueError:
            return False
        return left > right if op == "Gt" else left < right
    return False


def _term_matches(term: Mapping[str, Any], node: NodeView) -> bool:
    expressions = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not expressions and not fields:
        return False  # an empty term matches no objects
    for expr in expressions:
        if not _expression_matches(expr, node.labels.get(expr.get("key", ""))):
            return False
    for expr in fields:
        value = node.name if expr.get("key") == "metadata.name" else None
        if not _expression_matches(expr, value):
            return False
    return True


def matches_selectors(node: NodeView, constraints: Constraints) -> bool:
    if node.labels.get(SCHEDULABLE_LABEL) != "true":
        return False
    for key, value in constraints.node_selector.items():
        if node.labels.get(key) != value:
            return False
    required = ((constraints.affinity or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    terms = required.get("nodeSelectorTerms")
    if terms is None:
        return True
    return any(_term_matches(term, node) for term in terms)


def _tolerates(tolerations: Iterable[Mapping[str, Any]], taint: Mapping[str, Any]) -> bool:
    for tol in tolerations:
        effect = tol.get("effect") or ""
        if effect and effect != taint.get("effect"):
            continue
        key = tol.get("key") or ""
        operator = tol.get("operator") or "Equal"
        if operator == "Exists":
            if not key or key == taint.get("key"):
                return True
        elif key == taint.get("key") and (tol.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


def _effective_taints(node: NodeView) -> list[Mapping[str, Any]]:
    taints = [t for t in node.taints if t.get("effect") in ("NoSchedule", "NoExecute")]
    if not node.ready and not any(t.get("key") == NOT_READY_TAINT for t in taints):
        taints.append({"key": NOT_READY_TAINT, "effect": "NoSchedule"})
    return taints


def rejection_reasons(node: NodeView, demand: Demand, used: Demand, constraints: Constraints) -> list[str]:
    """Why the pod does not fit this node, in the kube-scheduler's filter order; empty if it fits."""
    if node.unschedulable:
        return ["node(s) were unschedulable"]
    for taint in _effective_taints(node):
        if not _tolerates(constraints.tolerations, taint):
            return [f"node(s) had untolerated taint {{{taint.get('key')}: {taint.get('value') or ''}}}"]
    if not matches_selectors(node, constraints):
        return ["node(s) didn't match Pod's node affinity/selector"]
    reasons = []
    if used.pods + demand.pods > node.allocatable.pods:
        reasons.append("Too many pods")
    if demand.cpu > 0 and used.cpu + demand.cpu > node.allocatable.cpu:
        reasons.append("Insufficient cpu")
    if demand.memory > 0 and used.memory + demand.memory > node.allocatable.memory:
        reasons.append("Insufficient memory")
    return reasons


def _load(node: NodeView, used: Demand) -> tuple[Decimal, Decimal]:
    alloc = node.allocatable
    mem = used.memory / alloc.memory if alloc.memory else Decimal(1)
    cpu = used.cpu / alloc.cpu if alloc.cpu else Decimal(1)
    return mem, cpu


def place(
    nodes: Iterable[NodeView],
    demand: Demand,
    usage: Mapping[str, Demand],
    constraints: Constraints,
    exclude: Iterable[str] = (),
) -> Placement:
    """Pick the node for a pod with ``demand``; ``usage`` is what is already placed per node."""
    excluded = set(exclude)
    candidates = [n for n in nodes if n.name not in excluded]
    if not candidates:
        return Placement(None, "0/0 nodes are available: no nodes available to schedule pods.")
    fitting: list[NodeView] = []
    failures: Counter[str] = Counter()
    for node in candidates:
        reasons = rejection_reasons(node, demand, usage.get(node.name, Demand()), constraints)
        if reasons:
            failures.update(reasons)
        else:
            fitting.append(node)
    if fitting:
        best = min(fitting, key=lambda n: (*_load(n, usage.get(n.name, Demand())), n.name))
        return Placement(best.name)
    summary = ", ".join(f"{count} {reason}" for reason, count in sorted(failures.items()))
    return Placement(None, f"0/{len(candidates)} nodes are available: {summary}.")
