"""``make bench``, part 1: how long one scheduling decision takes, and how much memory it needs.

What is timed is one call of the operator's ``PlacementLedger.place`` as the operator makes it: the
ledger follows a ``ClusterView``'s placement feed (fed once with every placed server, as kopf's
listing feeds it), reads the Nodes and Aggregates from that view's indexes, fills the cached host
states with the per-host totals (``HostUsage``), runs the filters and weighers, claims the chosen
host, and "writes" it with a persist that answers at once (the real one is an API server round
trip made outside the lock). The same server is placed each time, so every run sees the same
cluster. This is the work done under the placement lock, so it bounds how many Servers per second
one operator can place. Timings are wall-clock medians over repeated runs on this machine; nothing
here is asserted.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from kubenova.handlers import cluster_view
from kubenova.handlers.cluster_view import ClusterView
from kubenova.handlers.servers.ledger import PlacementLedger
from kubenova.handlers.view_keys import IndexedNode
from kubenova.resources.aggregate import Aggregate
from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.host_state import HostState, NodeInfo, PlacedServer
from kubenova.scheduler.request_spec import RequestSpec


def _view(hosts: int) -> ClusterView:
    """A view whose indexes hold ``hosts`` Nodes and 4 zone Aggregates (cpu ratio 2.0)."""
    nodes = [NodeInfo(f"node-{i}", cpu=64, memory_mb=262144, disk_gb=2000) for i in range(hosts)]
    aggregates = [
        Aggregate.model_validate(
            {
                "metadata": {"name": f"agg-{z}"},
                "spec": {
                    "availabilityZone": f"az-{z}",
                    "hosts": [n.name for n in nodes[z::4]],
                    "metadata": {"cpu_allocation_ratio": "2.0"},
                },
            }
        )
        for z in range(4)
    ]
    view = ClusterView()
    view.bind(
        {
            cluster_view.NODES: {n.name: [IndexedNode(n, "1")] for n in nodes},
            cluster_view.AGGREGATES: {a.metadata.name: [a] for a in aggregates},
        }
    )
    return view


def _decision(hosts: int, servers: int) -> Callable[[], None]:
    view = _view(hosts)
    ledger = PlacementLedger(SchedulerConfig())
    ledger.follow(view.feed)
    feed = ledger.seen  # what view.feed.seen tells the ledger for each Server of the listing
    for i in range(servers):
        feed(f"uid-{i}", [PlacedServer(f"uid-{i}", f"node-{i % hosts}", vcpus=1, memory_mb=1024, disk_gb=10)])
    spec = RequestSpec(instance_uid="new", project_id="demo", vcpus=2, memory_mb=2048, root_gb=20)
    loop = asyncio.new_event_loop()

    async def persist(host: HostState) -> str:
        return host.name

    def run() -> None:
        loop.run_until_complete(ledger.place(spec, view, persist))

    return run


SIZES = ((3, 30), (10, 200), (50, 1000), (200, 5000), (500, 10000), (1000, 20000))
"""(hosts, servers already placed on them) per measured size."""


def _measure(name: str, run: Callable[[], None], repeat: int) -> dict[str, Any]:
    run()  # warm up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    median = statistics.median(samples)
    p90 = sorted(samples)[int(len(samples) * 0.9)]
    print(
        f"{name:<42} median {median * 1000:8.2f} ms  p90 {p90 * 1000:8.2f} ms"
        f"  ~{1 / median:8.0f} decisions/s  peak {peak / 1024:8.0f} KiB",
        flush=True,
    )
    return {
        "median_ms": round(median * 1000, 3),
        "p90_ms": round(p90 * 1000, 3),
        "decisions_per_s": round(1 / median, 1),
        "peak_kib": round(peak / 1024),
        "repeat": repeat,
    }


def run(repeat: int, sizes: tuple[tuple[int, int], ...] = SIZES) -> list[dict[str, Any]]:
    """Print and return one row per size: hosts, placed servers, median/p90 time, peak memory."""
    print(
        "scheduling decision (PlacementLedger.place: per-host totals, filters, weighers, claim):",
        flush=True,
    )
    rows = []
    for hosts, servers in sizes:
        figures = _measure(f"  {hosts} hosts, {servers} placed servers", _decision(hosts, servers), repeat)
        rows.append({"hosts": hosts, "servers": servers, **figures})
    return rows
