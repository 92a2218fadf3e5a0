"""``make bench``, in-process part: ``GET /servers/detail?limit=1000`` without a cluster.

The gateway's watch caches are filled directly (no API server, no HTTP, no token check) with
``--inprocess-list-at`` realistic Servers of one project and as many of another (placed, ACTIVE,
with addresses, an embedded flavor, an action record, metadata and tags; about one in eight
building, in ERROR, stopped, locked, with IPv6 or hints), and the work of one list request is
timed, as an admin of the project: the list service (filters, sort, paging, refs), the detail
views and the JSON body the router returns. What the full stack adds (uvicorn, middleware, the
token, the network) is in the stack part. Also reported: the memory the cache of parsed Servers
holds (tracemalloc), what the first request leaves behind (the list memos it fills) and the peak
one request allocates; the first request (cold memos) is timed apart from the repeated ones.
Wall-clock p50/p95/max and the CPU time of the process (p50: less sensitive to other work on a
shared machine, but it counts garbage collections over the whole heap, as a gateway pays them).
Nothing is asserted; read ratios between runs on the same machine.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any, cast

import yaml
from starlette.datastructures import QueryParams

from kubenova import k8s
from kubenova.resources import GROUP, VERSION
from kubenova_api.context import RequestContext
from kubenova_api.deps import ListCall
from kubenova_api.identity.directory import Directory, parse_directory
from kubenova_api.identity.service import IdentityService
from kubenova_api.identity.tokens import TokenData
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import servers as router
from kubenova_api.store import Store
from kubenova_api.urls import PublicUrls

PROJECT_ID = "6f70656e737461636b20726f636b7321"
NAMESPACE = "bench-project"
OTHER_NAMESPACE = "bench-other"
HOSTS = 3
SIZES = (1000, 5000)
"""Servers in the caller's project per measured size (as many again live in another project)."""


def _server(index: int, namespace: str) -> dict[str, Any]:
    uid = f"00000000-0000-4000-8000-{index:012d}"
    host = f"node-{index % HOSTS}"
    created = f"2026-12-0{1 + index % 5}T10:{index % 60:02d}:{index % 59:02d}Z"
    server: dict[str, Any] = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Server",
        "metadata": {
            "name": f"server-{index:05d}-x7k2p",
            "namespace": namespace,
            "uid": uid,
            "resourceVersion": str(1000 + index),
            "generation": 1,
            "creationTimestamp": created,
            "annotations": {
                "compute.kubenova.io/reservation-id": f"r-{index:08x}",
                "compute.kubenova.io/launch-index": "0",
                "compute.kubenova.io/disk-config": "MANUAL",
            },
            "finalizers": ["compute.kubenova.io/server"],
        },
        "spec": {
            "name": f"bench-{index:05d}",
            "flavor": "m1.small",
            "image": "cirros",
            "keyName": "demo-key",
            "userData": "IyEvYmluL3NoCmVjaG8gaGVsbG8K",
            "metadata": {"role": "web", "tier": str(index % 3), "owner": "bench"},
            "tags": ["bench", f"group-{index % 10}"],
            "powerState": "Running",
            "networks": "auto",
            "userId": "4d5e6f70818293a4b5c6d7e8f9a0b1c2",
        },
        "status": {
            "status": "ACTIVE",
            "vmState": "active",
            "taskState": None,
            "powerState": "Running",
            "host": host,
            "hypervisorHostname": host,
            "availabilityZone": "nova",
            "addresses": {
                "private": [
                    {
                        "version": 4,
                        "addr": f"10.0.{index // 250 % 256}.{index % 250 + 2}",
                        "type": "fixed",
                        "mac_addr": f"fa:16:3e:00:{index // 256 % 256:02x}:{index % 256:02x}",
                    }
                ]
            },
            "networks": "auto",
            "progress": 100,
            "flavor": {
                "id": "2",
                "name": "m1.small",
                "vcpus": 1,
                "ram": 2048,
                "disk": 20,
                "ephemeral": 0,
                "swap": 0,
                "extraSpecs": {"hw:cpu_policy": "shared"},
            },
            "imageId": "70a599e0-31e7-49b7-b260-868f441e862b",
            "vmName": f"server-{index:05d}-x7k2p",
            "launchedAt": created.replace("T10", "T11"),
            "updatedAt": created.replace("T10", "T11"),
            "actions": [
                {
                    "action": "create",
                    "requestId": f"req-{uid}",
                    "userId": "4d5e6f70818293a4b5c6d7e8f9a0b1c2",
                    "startTime": created,
                    "finishTime": created.replace("T10", "T11"),
                    "result": "Success",
                }
            ],
            "observedGeneration": 1,
        },
    }
    return _varied(server, index)


def _varied(server: dict[str, Any], index: int) -> dict[str, Any]:
    """6 servers in 50 differ from the ACTIVE template: building, in ERROR, stopped, locked,
    non-ASCII names, IPv6, access IPs, hints, descriptions (so the views take every branch)."""
    spec, status, meta = server["spec"], server["status"], server["metadata"]
    kind = index % 50
    if kind == 1:
        status.update(status="BUILD", vmState="building", taskState="spawning", progress=0, host=None)
        status.update(hypervisorHostname=None, addresses={}, launchedAt=None)
    elif kind == 2:
        status.update(status="ERROR", vmState="error", powerState="NOSTATE", host=None, addresses={})
        status["fault"] = {
            "code": 500,
            "message": "No valid host was found.",
            "details": "x" * 40,
            "created": "2026-12-01T10:00:00Z",
        }
    elif kind == 3:
        spec["powerState"] = "Stopped"
        status.update(status="SHUTOFF", vmState="stopped", powerState="Shutdown")
    elif kind == 4:
        spec.update(locked=True, lockedReason="maintenance ☃", lockedBy="admin", description='ünïcödé "q"')
        spec["name"] = "сервер-" + str(index)
    elif kind == 5:
        status["addresses"]["private"].append(
            {"version": 6, "addr": f"fd00::{index:x}", "type": "fixed", "mac_addr": "fa:16:3e:00:00:01"}
        )
        meta["annotations"]["compute.kubenova.io/access-ipv4"] = "192.0.2.10"
        meta["annotations"]["compute.kubenova.io/access-ipv6"] = "2001:db8:0:0::1"
    elif kind == 6:
        meta["annotations"]["compute.kubenova.io/scheduler-hints"] = '{"group": ["g1"], "same_host": ["a"]}'
        meta["annotations"]["compute.kubenova.io/created"] = "2026-12-01T10:00:00.123456Z"
        spec["availabilityZone"] = "nova"
        spec["configDrive"] = True
    return server


def _others() -> dict[str, list[dict[str, Any]]]:
    """The Flavor, Image and Nodes the servers refer to."""
    flavor = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Flavor",
        "metadata": {"name": "m1.small", "uid": "f1", "resourceVersion": "5"},
        "spec": {"id": "2", "name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20},
    }
    image = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Image",
        "metadata": {"name": "cirros", "uid": "70a599e0-31e7-49b7-b260-868f441e862b", "resourceVersion": "6"},
        "spec": {
            "name": "cirros",
            "containerDisk": {"image": "quay.io/kubevirt/cirros-container-disk-demo"},
            "properties": {"os_distro": "cirros"},
        },
        "status": {"status": "active"},
    }
    nodes = [
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": f"node-{i}", "uid": f"n{i}", "resourceVersion": str(10 + i), "labels": {}},
            "spec": {},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]},
        }
        for i in range(HOSTS)
    ]
    return {"flavors": [flavor], "images": [image], "nodes": nodes}


def _fill(informer: Any, objects: list[dict[str, Any]]) -> None:
    informer._cache.replace(objects, "100000")
    informer._synced.set()


class _Identity:
    """The one piece of the identity service a list reads: the project directory."""

    def __init__(self) -> None:
        config = {"projects": [{"id": PROJECT_ID, "name": "bench", "namespace": NAMESPACE}]}
        self._directory = parse_directory(yaml.safe_dump(config))

    def directory(self) -> Directory:
        return self._directory


def filled_store(servers: int) -> Store:
    """A Store whose caches hold ``servers`` Servers in the bench project and as many in another."""
    kube = k8s.Client(k8s.Transport(k8s.ApiClient(), user_agent="bench"))
    store = Store(kube, identity_namespace="kubenova-system")
    others = _others()
    by_plural = {informer.name: informer for informer in store.informers()}
    for informer in by_plural.values():
        _fill(informer, others.get(informer.name, []))
    mine = [_server(i, NAMESPACE) for i in range(servers)]
    theirs = [_server(servers + i, OTHER_NAMESPACE) for i in range(servers)]
    _fill(store.servers.informer, mine + theirs)
    return store


def _context() -> RequestContext:
    """An admin of the project, as the stack part lists (extended attributes and host status)."""
    roles = ("admin", "member", "reader")
    token = TokenData("bench-user", PROJECT_ID, roles, time.time(), time.time() + 3600, "a")
    return RequestContext("bench-user", "bench", PROJECT_ID, "bench", NAMESPACE, frozenset(roles), "r", token)


def list_request(store: Store, *, limit: int, version: str = "2.100") -> Callable[[], bytes]:
    """One ``GET /servers/detail?limit=`` as the router answers it (its body, rendered)."""
    identity = cast(IdentityService, _Identity())
    ctx, urls = _context(), PublicUrls("http://bench.example")
    query = QueryParams({"limit": str(limit)})

    class _Request:
        query_params = query

    settings = type("Settings", (), {"max_limit": 1000})()

    def run() -> bytes:
        call = ListCall(
            request=cast(Any, _Request()),
            ctx=ctx,
            version=APIVersion.parse(version),
            store=store,
            identity=identity,
            settings=cast(Any, settings),
            urls=urls,
        )
        route = router.list_servers_detail(call)
        try:  # the handler awaits nothing: one step runs it to its answer
            route.send(None)
        except StopIteration as done:
            return bytes(done.value.body)
        raise RuntimeError("the list handler awaited something")

    return run


def _memory_mib(servers: int, limit: int) -> tuple[float, float]:
    """MiB the parsed Servers of a filled cache hold (both projects: 2 x ``servers``), and MiB the
    first list request leaves behind (the list memos, ``kubenova_api.server_memo``)."""
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    store = filled_store(servers)
    filled, _ = tracemalloc.get_traced_memory()
    list_request(store, limit=limit)()
    gc.collect()
    listed, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del store
    return round((filled - before) / 2**20, 1), round((listed - filled) / 2**20, 1)


def _measure(run: Callable[[], bytes], repeat: int) -> dict[str, Any]:
    start = time.perf_counter()
    body = run()  # warm up: the first request fills the list memos (and gives the body's size)
    first = time.perf_counter() - start
    samples, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        samples.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ordered = sorted(samples)
    return {
        "first_ms": round(first * 1000, 1),
        "p50_ms": round(statistics.median(samples) * 1000, 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "cpu_p50_ms": round(statistics.median(cpu) * 1000, 1),
        "repeat": repeat,
        "body_kib": round(len(body) / 1024),
        "request_peak_mib": round(peak / 2**20, 1),
    }


def run(repeat: int, sizes: tuple[int, ...] = SIZES, limit: int = 1000) -> list[dict[str, Any]]:
    """Print and return one row per size: list latency (p50/p95/max) and memory."""
    print(f"GET /servers/detail?limit={limit}, in-process (list service + views + JSON):", flush=True)
    rows = []
    for servers in sizes:
        store = filled_store(servers)
        figures = _measure(list_request(store, limit=limit), repeat)
        figures["cache_mib"], figures["memo_mib"] = _memory_mib(servers, limit)
        print(
            f"  {servers} servers in the project (+{servers} in another): p50 {figures['p50_ms']:7.1f} ms"
            f"  p95 {figures['p95_ms']:7.1f} ms  max {figures['max_ms']:7.1f} ms"
            f"  CPU p50 {figures['cpu_p50_ms']:7.1f} ms  first {figures['first_ms']:7.1f} ms"
            f"  body {figures['body_kib']} KiB  cache {figures['cache_mib']} MiB"
            f"  memos {figures['memo_mib']} MiB"
            f"  request peak {figures['request_peak_mib']} MiB",
            flush=True,
        )
        rows.append({"servers": servers, "other_project_servers": servers, "limit": limit, **figures})
    return rows
