"""What is placed on which managed Node, for scheduling decisions (the kube-scheduler's cache).

Usage per node is kept incrementally from the VMIs the watch shows (``observe``, ``forget``), plus
two kinds of reservations the watch cannot show yet: VMIs just bound to a node whose status write
has not come back ("assumed", like the kube-scheduler's assume cache), and migration target pods.
Each VMI's contribution is recorded, so a change takes back exactly what was added (Decimal
quantities: no drift), and a decision costs the nodes, not every VMI. One lock makes a decision
and its reservation atomic across worker threads, so two VMIs cannot both take the last slot of a
node.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterable, Mapping

from pydantic import ValidationError

from kubenova.k8s import Informer
from kubenova.k8s import JsonObject as Obj
from kubenova.kubevirt.models import VirtualMachineInstance, VmiSpec
from kubevirt_simulator.config import SimulatorConfig
from kubevirt_simulator.nodes import is_marked_not_ready
from kubevirt_simulator.placement import Constraints, Demand, NodeView, Placement, demand_of, node_view, place
from kubevirt_simulator.vmi_facts import is_final

log = logging.getLogger(__name__)


class Capacity:
    def __init__(self, config: SimulatorConfig, nodes: Informer[Obj]) -> None:
        self._config = config
        self._nodes = nodes
        self._lock = threading.Lock()
        self._assumed: dict[str, str] = {}
        self._targets: dict[str, tuple[str, Demand]] = {}
        self._demand_cache: dict[str, tuple[str | None, Demand]] = {}  # uid -> (rv, demand)
        self._bound: dict[str, str] = {}  # uid -> status.nodeName, as last observed
        self._counted: dict[str, tuple[str, Demand]] = {}  # uid -> what it adds to _totals
        self._totals: dict[str, Demand] = {}

    def demand(self, spec: VmiSpec) -> Demand:
        return demand_of(spec, self._config.cpu_allocation_ratio)

    def node_views(self) -> list[NodeView]:
        views = []
        for node in self._nodes.objects():
            try:
                view = node_view(node)
            except ValueError as exc:
                log.warning(
                    "kubevirt-simulator: node %s has unparsable resources: %s",
                    (node.get("metadata") or {}).get("name"),
                    exc,
                )
                continue
            if is_marked_not_ready(node) and view.ready:
                # The status write may still be in flight; the annotation is the intent.
                view = NodeView(
                    view.name, view.labels, view.allocatable, False, view.unschedulable, view.taints
                )
            views.append(view)
        return views

    def _vmi_demand(self, obj: dict[str, object]) -> tuple[str, Demand] | None:
        meta = obj.get("metadata")
        if not isinstance(meta, dict):
            return None
        uid = str(meta.get("uid"))
        rv = meta.get("resourceVersion")
        cached = self._demand_cache.get(uid)
        if cached is not None and cached[0] == rv:
            return uid, cached[1]
        try:
            vmi = VirtualMachineInstance.model_validate(obj)
        except (ValidationError, ValueError):
            return None
        if is_final(vmi):
            demand = Demand()
        else:
            try:
                demand = self.demand(vmi.spec)
            except ValueError:
                demand = Demand()
        self._demand_cache[uid] = (str(rv) if rv is not None else None, demand)
        return uid, demand

    def observe(self, obj: Obj) -> None:
        """A VMI as the watch shows it now (its handler's news): count it where it is bound."""
        with self._lock:
            found = self._vmi_demand(obj)
            if found is None:
                return
            uid, _ = found
            node = (obj.get("status") or {}).get("nodeName")
            if node:
                self._bound[uid] = str(node)
            else:
                self._bound.pop(uid, None)
            self._recount(uid)

    def _recount(self, uid: str) -> None:
        """Take back what ``uid`` added to the totals, and add what it holds now."""
        before = self._counted.pop(uid, None)
        if before is not None:
            held_on, held = before
            left = self._totals[held_on] - held
            if left == Demand():
                del self._totals[held_on]
            else:
                self._totals[held_on] = left
        cached = self._demand_cache.get(uid)
        node = self._bound.get(uid) or self._assumed.get(uid)
        if cached is None or not node or not cached[1].pods:
            return
        self._counted[uid] = (node, cached[1])
        self._totals[node] = self._totals.get(node, Demand()) + cached[1]

    def _usage_locked(self) -> dict[str, Demand]:
        usage = dict(self._totals)
        for node, demand in self._targets.values():
            usage[node] = usage.get(node, Demand()) + demand
        return usage

    def usage(self) -> dict[str, Demand]:
        with self._lock:
            return self._usage_locked()

    def schedule(self, vmi: VirtualMachineInstance) -> Placement:
        """Choose a node for a VMI and hold the choice until the VMI status shows it."""
        uid = str(vmi.metadata.uid)
        with self._lock:
            if uid in self._assumed:
                return Placement(self._assumed[uid])
            demand = self.demand(vmi.spec)
            result = place(self.node_views(), demand, self._usage_locked(), Constraints.of(vmi.spec))
            if result.node:
                self._assumed[uid] = result.node
                self._demand_cache.setdefault(uid, (vmi.metadata.resource_version, demand))
                self._recount(uid)
            return result

    def reserve_target(
        self,
        migration_uid: str,
        vmi: VirtualMachineInstance,
        exclude: Iterable[str],
        added_node_selector: Mapping[str, str] | None = None,
    ) -> Placement:
        """Choose and hold a migration target node (the target virt-launcher pod); the
        migration's ``addedNodeSelector`` joins the VMI's selector, which wins on a collision."""
        with self._lock:
            held = self._targets.get(migration_uid)
            if held is not None:
                return Placement(held[0])
            demand = self.demand(vmi.spec)
            constraints = Constraints.of(vmi.spec)
            selector = {**(added_node_selector or {}), **constraints.node_selector}
            constraints = dataclasses.replace(constraints, node_selector=selector)
            result = place(self.node_views(), demand, self._usage_locked(), constraints, exclude)
            if result.node:
                self._targets[migration_uid] = (result.node, demand)
            return result

    def hold_target(self, migration_uid: str, node: str, vmi: VirtualMachineInstance) -> None:
        """Re-establish a target reservation read back from the API after a restart."""
        with self._lock:
            self._targets.setdefault(migration_uid, (node, self.demand(vmi.spec)))

    def release_target(self, migration_uid: str) -> None:
        with self._lock:
            self._targets.pop(migration_uid, None)

    def forget(self, vmi_uid: str) -> None:
        """The VMI is gone: it holds nothing any more."""
        with self._lock:
            self._assumed.pop(vmi_uid, None)
            self._demand_cache.pop(vmi_uid, None)
            self._bound.pop(vmi_uid, None)
            self._recount(vmi_uid)
