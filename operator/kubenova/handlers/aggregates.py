"""Aggregates → Nodes and ids: zone and membership labels on Nodes, and each Aggregate's
``status.id`` (the operator is the one id allocator) and ``status.missingHosts``.

Everything is recomputed from all Aggregates and Nodes in the view (``reconcile``) on any
Aggregate event and when a Node appears or goes (also for the listing at start-up), and only
differences are written; no finalizer is needed, because a deletion missed while the operator was
down is fixed by the next reconcile.
"""

from __future__ import annotations

import logging
from typing import Any

import kopf

from kubenova import k8s
from kubenova.handlers import aggregate_ids, node_labels, runtime
from kubenova.handlers.cluster_view import AGGREGATES, NODES
from kubenova.handlers.indexes import node_info
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.view_keys import IndexedNode
from kubenova.resources.aggregate import Aggregate
from kubenova.resources.base import GROUP, VERSION

LOG = logging.getLogger(__name__)


@kopf.on.event(GROUP, VERSION, "aggregates")
async def aggregate_changed(type: str | None, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    rt = runtime.of(memo)
    if type == "DELETED":
        rt.view.forget(AGGREGATES, body.metadata.name)
    await reconcile(rt)


def _came_or_went(type: str | None, **_: Any) -> bool:
    # Nodes change all the time (heartbeats); only their coming and going matters here (None: listed).
    return type in (None, "ADDED", "DELETED")


@kopf.on.event("", "v1", "nodes", when=_came_or_went)
async def node_came_or_went(type: str | None, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    rt = runtime.of(memo)
    rt.view.ready.set()
    if type == "DELETED":
        rt.view.forget(NODES, body.metadata.name)
    await reconcile(rt)


async def reconcile(rt: Runtime) -> None:
    """Ids, missing hosts and Node labels, from the view; only differences are written."""
    async with rt.aggregates_lock:
        aggregates, nodes = rt.view.aggregates(), rt.view.nodes()
        names = {n.info.name for n in nodes}
        ids = aggregate_ids.assign(aggregates)
        for aggregate in aggregates:
            await _write_status(rt, aggregate, ids[aggregate.metadata.name], names)
        for node in nodes:
            await _label(rt, node, aggregates)


async def _write_status(rt: Runtime, aggregate: Aggregate, new_id: int, node_names: set[str]) -> None:
    missing = node_labels.missing_hosts(aggregate, node_names)
    wanted = {"id": new_id, "missingHosts": missing}
    if wanted == {"id": aggregate.status.id, "missingHosts": aggregate.status.missing_hosts}:
        return
    try:
        result = await rt.client.merge_patch(
            k8s.AGGREGATES, aggregate.metadata.name, {"status": wanted}, subresource="status"
        )
    except k8s.NotFound:
        return
    if aggregate.status.id != new_id:
        LOG.info("Aggregate %s: id %d", aggregate.metadata.name, new_id)
    rt.view.remember(AGGREGATES, aggregate.metadata.name, Aggregate.model_validate(result))


async def _label(rt: Runtime, node: IndexedNode, aggregates: list[Aggregate]) -> None:
    desired = node_labels.desired_labels(node.info.name, aggregates)
    patch = node_labels.labels_patch(node.info.labels, desired)
    if patch is None:
        return
    try:
        result = await rt.client.merge_patch(k8s.NODES, node.info.name, {"metadata": {"labels": patch}})
    except k8s.NotFound:
        return
    labelled = IndexedNode(node_info(result), (result.get("metadata") or {}).get("resourceVersion"))
    rt.view.remember(NODES, node.info.name, labelled)
