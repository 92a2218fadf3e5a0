"""``make bench``, in-process part: the memory the operator's indexes hold per server (``--only
operator-memory``).

For each size, every object one ACTIVE server puts in the operator's watches (``operator_bodies``:
its Server, VirtualMachine, VMI and root DataVolume, with the API server's metadata and
managedFields) is decoded from JSON, as a watch event is, and handed to the operator's real kopf
index function (``kubenova.handlers.indexes``); what the function returns is kept as kopf keeps it
(in kopf's own ``OperatorIndexer``) and the body is dropped. tracemalloc reports the bytes that
stay, per server and kind; the Server's include what the view and placement ledger keep of it
(``ServerFeed.seen``). Apart: what kopf keeps per watched object besides its indexes (its
``ResourceMemory``, as a listing fills it: ``kopf_memory``), the cache of recently parsed VMs,
VMIs and DataVolumes (``handlers.packed.RECENT`` values, measured full), and for comparison the
bytes the decoded bodies would hold if kept as they came (``raw``) and without their
``metadata.managedFields`` (``raw_unmanaged``).

A lower bound of the operator's resident memory: the Python heap of what it keeps per object only
(no interpreter, modules, watch streams, sockets or allocator slack). Nothing is asserted; compare
runs on the same machine.
"""

from __future__ import annotations

import asyncio
import gc
import json
import tracemalloc
from collections.abc import Callable
from typing import Any

import kopf
from kopf._core.engines.indexing import OperatorIndexer
from kopf._core.reactor.inventory import ResourceMemories

from kubenova import k8s
from kubenova.handlers import indexes, packed
from kubenova.handlers.runtime import Runtime
from kubenova.settings import Settings
from tests.bench import operator_bodies

SIZES = (1000, 10000)
INDEX_OF: dict[str, Callable[..., Any]] = {
    "server": indexes.server_index,
    "vm": indexes.vm_index,
    "vmi": indexes.vmi_index,
    "dv": indexes.dv_index,
}


def _memo() -> kopf.Memo:
    kube = k8s.Client(k8s.Transport(k8s.ApiClient(), user_agent="bench"))
    memo = kopf.Memo()
    memo["runtime"] = Runtime.create(Settings(), kube)
    return memo


def _indexed(kind: str, texts: list[str], memo: kopf.Memo) -> OperatorIndexer:
    """kopf's indexer of one index, filled as kopf fills it (its key: namespace, name, uid)."""
    function, indexer = INDEX_OF[kind], OperatorIndexer()
    loop = asyncio.new_event_loop()
    try:
        for text in texts:
            body = kopf.Body(json.loads(text))
            meta = body.metadata
            result = loop.run_until_complete(function(body=body, memo=memo))
            indexer.replace((meta.namespace, meta.name, meta.uid), result)
    finally:
        loop.close()
    packed._recent.clear()  # the parsed values kept for reads: measured apart (``_recent_cache``)
    return indexer


def _kopf_memories(texts: list[str], memo: kopf.Memo) -> ResourceMemories:
    """What kopf keeps per watched object besides the indexes (no daemons or timers here)."""
    memories, loop = ResourceMemories(), asyncio.new_event_loop()
    try:
        for text in texts:
            raw = json.loads(text)
            loop.run_until_complete(memories.recall(raw, memobase=memo, noticed_by_listing=True))
    finally:
        loop.close()
    return memories


def _recent_cache(indexers: list[OperatorIndexer]) -> object:
    """Read VMs, VMIs and DataVolumes of as many servers as it takes to fill the parsed cache."""
    for indexer in indexers:
        for key in indexer.index:
            for value in indexer.index[key]:
                packed.unpacked(value)
    return None


def _unmanaged(text: str) -> dict[str, Any]:
    body = json.loads(text)
    body["metadata"].pop("managedFields", None)
    return dict(body)


def _held(build: Callable[[], object]) -> tuple[int, object]:
    """Bytes that ``build()``'s result keeps allocated (tracemalloc must be tracing)."""
    gc.collect()
    before, _ = tracemalloc.get_traced_memory()
    kept = build()
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    return after - before, kept


def measure(servers: int) -> dict[str, Any]:
    """Bytes per server, by kind, the indexes hold (and the raw bodies would) for ``servers``."""
    texts: dict[str, list[str]] = {kind: [] for kind in operator_bodies.KINDS}
    for i in range(servers):
        for kind, bodies in operator_bodies.server_texts(i).items():
            texts[kind].extend(bodies)
    memo = _memo()
    by_kind: dict[str, dict[str, float]] = {}
    kept: list[object] = []
    tracemalloc.start()
    try:
        for kind, bodies in texts.items():
            row: dict[str, float] = {"objects_per_server": len(bodies) / servers}
            for what, build in (
                ("indexed", lambda kind=kind, bodies=bodies: _indexed(kind, bodies, memo)),
                ("kopf_memory", lambda bodies=bodies: _kopf_memories(bodies, memo)),
                ("raw", lambda bodies=bodies: [json.loads(t) for t in bodies]),
                ("raw_unmanaged", lambda bodies=bodies: [_unmanaged(t) for t in bodies]),
            ):
                size, value = _held(build)
                row[f"{what}_kib"] = round(size / servers / 1024, 2)
                if what in ("indexed", "kopf_memory"):
                    kept.append(value)  # the indexes stay, as in the operator
            by_kind[kind] = row
        indexers = [value for value in kept if isinstance(value, OperatorIndexer)]
        cache, _ = _held(lambda: _recent_cache(indexers))
    finally:
        tracemalloc.stop()
        packed._recent.clear()
    total = sum(row["indexed_kib"] for row in by_kind.values())
    kopf_total = sum(row["kopf_memory_kib"] for row in by_kind.values())
    return {
        "servers": servers,
        "per_server_kib": by_kind,
        "indexed_kib_per_server": round(total, 2),
        "kopf_memory_kib_per_server": round(kopf_total, 2),
        "recent_parsed_mib": round(cache / 2**20, 1),
        "indexed_mib": round(total * servers / 1024 + cache / 2**20, 1),
        "kopf_memory_mib": round(kopf_total * servers / 1024, 1),
    }


def text(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["operator indexes in-process (tracemalloc; a lower bound of RSS), KiB per server:"]
    for row in rows:
        parts = ", ".join(
            f"{kind} {r['indexed_kib']:.1f} (raw {r['raw_kib']:.1f}, raw w/o managedFields"
            f" {r['raw_unmanaged_kib']:.1f})"
            for kind, r in row["per_server_kib"].items()
        )
        lines.append(
            f"  {row['servers']:>6} servers: {row['indexed_kib_per_server']:.1f} KiB/server,"
            f" {row['indexed_mib']} MiB in all (parsed-value cache {row['recent_parsed_mib']} MiB); {parts};"
            f" kopf's per-object memory {row['kopf_memory_kib_per_server']:.1f} KiB/server,"
            f" {row['kopf_memory_mib']} MiB"
        )
    return lines


def run(sizes: tuple[int, ...] = SIZES) -> list[dict[str, Any]]:
    """Print and return one row per size."""
    rows = []
    for servers in sizes:
        rows.append(measure(servers))
        print(text(rows[-1:])[-1], flush=True)
    return rows
