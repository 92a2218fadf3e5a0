"""``make bench``, part 1: how long one scheduling decision takes, and how much memory it needs.

The operator holds its placement lock for exactly this work (host states rebuilt from every placed
server, then filters and weighers), so it bounds how many Servers per second one operator can place.
Timings are wall-clock medians over repeated runs on this machine; nothing here is asserted.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from kubenova.domain.zones import AggregateInfo
from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.host_state import NodeInfo, PlacedServer, build_host_states
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.selection import select_destination


def _inputs(hosts: int, servers: int) -> tuple[list[NodeInfo], list[PlacedServer], list[AggregateInfo]]:
    nodes = [NodeInfo(f"node-{i}", cpu=64, memory_mb=262144, disk_gb=2000) for i in range(hosts)]
    placed = [
        PlacedServer(f"uid-{i}", f"node-{i % hosts}", vcpus=1, memory_mb=1024, disk_gb=10)
        for i in range(servers)
    ]
    ratio = {"cpu_allocation_ratio": "2.0"}
    zones = [
        AggregateInfo(f"agg-{z}", f"az-{z}", frozenset(n.name for n in nodes[z::4]), ratio) for z in range(4)
    ]
    return nodes, placed, zones


def _decision(hosts: int, servers: int) -> Callable[[], None]:
    nodes, placed, aggregates = _inputs(hosts, servers)
    config = SchedulerConfig()
    spec = RequestSpec(instance_uid="new", project_id="demo", vcpus=2, memory_mb=2048, root_gb=20)

    def run() -> None:
        states = build_host_states(nodes, placed, aggregates, config)
        select_destination(spec, states, config)

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
    print("scheduling decision (host states + filters + weighers):", flush=True)
    rows = []
    for hosts, servers in sizes:
        figures = _measure(f"  {hosts} hosts, {servers} placed servers", _decision(hosts, servers), repeat)
        rows.append({"hosts": hosts, "servers": servers, **figures})
    return rows
