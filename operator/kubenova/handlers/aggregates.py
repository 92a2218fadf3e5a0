"""Aggregates → Nodes: zone and membership labels, ``status.missingHosts``, and ``spec.id`` for
aggregates created without one.

Everything is recomputed from all Aggregates and Nodes under one lock (``reconcile``) on any
Aggregate change or deletion, when a Node appears or goes, and once at start-up; no finalizer is
needed, because a deletion missed while the operator was down is fixed by the next reconcile.
"""

from __future__ import annotations

import logging
from typing import Any

import kopf

from kubenova import k8s
from kubenova.handlers import node_labels, runtime
from kubenova.handlers.runtime import Runtime
from kubenova.resources.aggregate import Aggregate
from kubenova.resources.base import GROUP, VERSION

LOG = logging.getLogger(__name__)


@kopf.on.resume(GROUP, VERSION, "aggregates")
@kopf.on.create(GROUP, VERSION, "aggregates")
@kopf.on.update(GROUP, VERSION, "aggregates", field="spec")
async def aggregate_changed(memo: kopf.Memo, **_: Any) -> None:
    await reconcile(runtime.of(memo))


def _deleted(type: str | None, **_: Any) -> bool:
    return type == "DELETED"


def _came_or_went(type: str | None, **_: Any) -> bool:
    # Nodes change all the time (heartbeats); only their coming and going matters here.
    return type in ("ADDED", "DELETED")


@kopf.on.event(GROUP, VERSION, "aggregates", when=_deleted)
async def aggregate_deleted(memo: kopf.Memo, **_: Any) -> None:
    await reconcile(runtime.of(memo))


@kopf.on.event("", "v1", "nodes", when=_came_or_went)
async def node_came_or_went(memo: kopf.Memo, **_: Any) -> None:
    await reconcile(runtime.of(memo))


async def reconcile(rt: Runtime) -> None:
    """Ids, Node labels and missing hosts, all from one fresh listing."""
    async with rt.aggregates_lock:
        aggregates = [Aggregate.model_validate(a) for a in await rt.client.list(k8s.AGGREGATES)]
        nodes = await rt.client.list(k8s.NODES)
        await _assign_ids(rt, aggregates)
        await _label_nodes(rt, aggregates, nodes)
        await _report_missing(rt, aggregates, {n["metadata"]["name"] for n in nodes})


async def _assign_ids(rt: Runtime, aggregates: list[Aggregate]) -> None:
    for aggregate in sorted(aggregates, key=lambda a: (a.metadata.creation_timestamp or "", a.metadata.name)):
        if aggregate.spec.id is not None:
            continue
        new_id = node_labels.next_id(aggregates)
        patch = {"metadata": {"resourceVersion": aggregate.metadata.resource_version}, "spec": {"id": new_id}}
        try:
            await rt.client.merge_patch(k8s.AGGREGATES, aggregate.metadata.name, patch)
        except (k8s.Conflict, k8s.NotFound):
            continue  # changed meanwhile (maybe given an id): the resulting event reconciles again
        aggregate.spec.id = new_id
        LOG.info("Aggregate %s: assigned id %d", aggregate.metadata.name, new_id)


async def _label_nodes(rt: Runtime, aggregates: list[Aggregate], nodes: list[dict[str, Any]]) -> None:
    for node in nodes:
        metadata = node.get("metadata") or {}
        desired = node_labels.desired_labels(metadata.get("name", ""), aggregates)
        patch = node_labels.labels_patch(metadata.get("labels") or {}, desired)
        if patch is None:
            continue
        try:
            await rt.client.merge_patch(k8s.NODES, metadata["name"], {"metadata": {"labels": patch}})
        except k8s.NotFound:
            continue


async def _report_missing(rt: Runtime, aggregates: list[Aggregate], node_names: set[str]) -> None:
    for aggregate in aggregates:
        missing = node_labels.missing_hosts(aggregate, node_names)
        if missing == aggregate.status.missing_hosts:
            continue
        try:
            await rt.client.merge_patch(
                k8s.AGGREGATES,
                aggregate.metadata.name,
                {"status": {"missingHosts": missing}},
                subresource="status",
            )
        except k8s.NotFound:
            continue
