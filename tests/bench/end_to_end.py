"""``make bench``, part 3: what a user of the Nova API feels, on the bench's own stack.

One stack (``bench_stack``: control plane with the audit log, simulator with phase delay 0 by
default, operator, gateway). On it, in order: the apiserver requests per server lifecycle
(``lifecycle.measure``); bursts of ``burst_size`` servers with each ``in_flight`` value, each followed
by deleting them at the same concurrency (delete → gone); one sustained-rate phase per rate; then
the project is filled to each ``list_at`` count and ``GET /servers/detail?limit=`` is timed; at the
largest count the resident memory of every process of the stack is read. ``workload`` holds the
phases, ``server_watch`` the observer, ``end_to_end_report`` the text. Nothing is asserted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kubernetes import client, config

from tests.bench import apiserver_metrics, lifecycle
from tests.bench.audit_window import AuditWindow
from tests.bench.bench_stack import BenchStack, StackOptions, bench_stack
from tests.bench.kubevirt_floor import BareVms, template_of
from tests.bench.lifecycle_driver import FLAVOR, PROJECT, Driver
from tests.bench.machine import cpu_seconds, rss_mib
from tests.bench.nova_client import NovaClient
from tests.bench.server_watch import ServerWatch
from tests.bench.workload import Workload

Log = Callable[[str], None]
Phase = tuple[dict[str, Any], list[str]]


@dataclass(frozen=True)
class Options:
    burst_size: int = 100
    in_flight: tuple[int, ...] = (20, 100)
    rates: tuple[float, ...] = (10.0, 25.0)
    rate_seconds: float = 60.0
    list_at: tuple[int, ...] = (1000, 5000)
    list_limit: int = 1000
    list_repeat: int = 10
    fill_in_flight: int = 50
    idle_seconds: float = 35.0
    """After each list count, seconds of nothing asked whose CPU is reported (one resync round of
    the operator's default 30 s falls in it): what the fleet costs at rest."""
    bare_kubevirt: bool = True
    """After the bursts, the same bursts of plain KubeVirt VMs created without kubenova."""
    timeout: float = 600.0
    """Seconds one server may take to become ACTIVE (or gone) before it is counted as not."""
    pause: float = 5.0
    """Seconds of quiet between phases, so one phase's trailing work does not land in the next."""
    requests: lifecycle.Options = field(default_factory=lifecycle.Options)
    stack: StackOptions = field(default_factory=StackOptions)


def _running_vmis(kube: client.ApiClient) -> int:
    """VirtualMachineInstances of the bench project in phase Running: what the servers became."""
    listed = client.CustomObjectsApi(kube).list_namespaced_custom_object(
        "kubevirt.io", "v1", PROJECT, "virtualmachineinstances"
    )
    return sum(1 for vmi in listed["items"] if (vmi.get("status") or {}).get("phase") == "Running")


def _vm_template(kube: client.ApiClient) -> dict[str, Any] | None:
    """One VirtualMachine the operator built for the bench project, as a plain KubeVirt VM."""
    listed = client.CustomObjectsApi(kube).list_namespaced_custom_object(
        "kubevirt.io", "v1", PROJECT, "virtualmachines", limit=1
    )
    return template_of(listed["items"][0]) if listed["items"] else None


def _cpu(stack: BenchStack) -> dict[str, float]:
    return {name: used for name, pid in stack.pids().items() if (used := cpu_seconds(pid)) is not None}


def _cpu_used(stack: BenchStack, before: dict[str, float], servers: int) -> dict[str, Any]:
    """CPU seconds each process of the stack used since ``before``, and per server created."""
    used = {name: round(now - before.get(name, 0.0), 2) for name, now in _cpu(stack).items()}
    total = sum(used.values())
    return {"seconds": used, "total": round(total, 2), "per_server": round(total / max(1, servers), 3)}


async def _idle(stack: BenchStack, seconds: float) -> dict[str, Any]:
    """CPU seconds each process of the stack used over ``seconds`` in which nothing was asked."""
    before = _cpu(stack)
    await asyncio.sleep(seconds)
    return {"seconds": seconds, "cpu_seconds": _cpu_used(stack, before, 0)["seconds"]}


async def _phases(stack: BenchStack, image_id: str, options: Options, log: Log) -> dict[str, Any]:
    kube = config.new_client_from_config(  # type: ignore[no-untyped-call]
        config_file=str(stack.bench_kubeconfig), persist_config=False
    )
    kube.user_agent = "kubenova-bench-watch"
    watch = ServerWatch(kube, PROJECT)
    watch.start()
    connections = max([*options.in_flight, options.fill_in_flight, 20]) + 10
    nova = NovaClient(
        stack.gateway_url,
        user="admin",
        password=stack.admin_password,
        project=PROJECT,
        connections=connections,
    )
    work = Workload(nova, watch, image_id, FLAVOR, timeout=options.timeout)
    out: dict[str, Any] = {
        "bursts": [],
        "bare_kubevirt": [],
        "sustained": [],
        "bare_kubevirt_sustained": [],
        "list": [],
        "seconds": {},
    }
    template: dict[str, Any] | None = None
    try:
        await nova.login()
        await nova.unlimited_quotas()
        window = AuditWindow(stack.audit.path)

        async def measured(work_done: Awaitable[tuple[dict[str, Any], list[str]]]) -> Phase:
            """A phase with its CPU seconds and apiserver requests (its trailing work included)."""
            cpu = _cpu(stack)
            window.open()
            metrics = apiserver_metrics.scrape(kube)
            figures, ids = await work_done
            stack.check()
            await asyncio.sleep(options.pause)
            figures["cpu"] = _cpu_used(stack, cpu, len(ids))
            figures["requests"] = window.close(len(ids))
            figures["apiserver_metrics"] = apiserver_metrics.delta(
                metrics, apiserver_metrics.scrape(kube), len(ids)
            )
            return figures, ids

        async def deleted(ids: list[str], in_flight: int) -> Phase:
            return await work.delete(ids, in_flight), ids

        for in_flight in options.in_flight:
            began = time.monotonic()
            log(f"  burst of {options.burst_size}, {in_flight} in flight")
            figures, ids = await measured(work.burst(options.burst_size, in_flight))
            if template is None and ids:
                template = await asyncio.to_thread(_vm_template, kube)
            log(f"  delete them, {in_flight} in flight")
            figures["delete"], _ = await measured(deleted(ids, in_flight))
            out["bursts"].append(figures)
            out["seconds"][f"burst, {in_flight} in flight"] = round(time.monotonic() - began, 1)
        if options.bare_kubevirt and template is not None:
            bare = BareVms(kube, template, timeout=options.timeout)
            await _bare_kubevirt(bare, options, measured, out, log)
        for per_second in options.rates:
            began = time.monotonic()
            log(f"  sustained: {per_second:g} creates/s for {options.rate_seconds:g} s")
            figures, ids = await measured(work.sustained(per_second, options.rate_seconds))
            log(f"  delete them, {max(options.in_flight, default=100)} in flight")
            figures["delete"], _ = await measured(deleted(ids, max(options.in_flight, default=100)))
            out["sustained"].append(figures)
            out["seconds"][f"sustained {per_second:g}/s"] = round(time.monotonic() - began, 1)
        have = 0
        for count in sorted(options.list_at):
            log(f"  fill to {count} servers, {options.fill_in_flight} in flight")
            filled, ids = await measured(work.fill(count, have, options.fill_in_flight))
            have += len(ids)
            log(f"  GET /servers/detail?limit={options.list_limit} x{options.list_repeat} at {count}")
            listed = await work.list_latency(options.list_limit, options.list_repeat)
            running = _running_vmis(kube)
            rss = {n: rss_mib(p) for n, p in stack.pids().items()}
            log(f"  idle for {options.idle_seconds:g} s at {count}")
            idle = await _idle(stack, options.idle_seconds)
            out["list"].append(
                {
                    "servers": count,
                    **listed,
                    "vmis_running": running,
                    "fill": filled,
                    "rss_mib": rss,
                    "idle": idle,
                }
            )
            out["seconds"][f"fill to {count}"] = filled["wall_seconds"]
        last = out["list"][-1]["rss_mib"] if out["list"] else {n: rss_mib(p) for n, p in stack.pids().items()}
        out["rss_mib"] = {"servers": have, **last}
        out["watch_relists"] = watch.relists
    finally:
        await nova.close()
        watch.stop()
        kube.close()
    return out


async def _bare_kubevirt(
    bare: BareVms,
    options: Options,
    measured: Callable[[Awaitable[Phase]], Awaitable[Phase]],
    out: dict[str, Any],
    log: Log,
) -> None:
    """The bursts and rates of the Nova phases again, as bare KubeVirt VMs (``kubevirt_floor``)."""

    async def deleted(names: list[str], in_flight: int) -> Phase:
        return await bare.delete(names, in_flight), names

    delete_in_flight = max(options.in_flight, default=100)
    try:
        for in_flight in options.in_flight:
            began = time.monotonic()
            log(f"  bare KubeVirt: {options.burst_size} VMs, {in_flight} in flight, no kubenova")
            figures, names = await measured(bare.burst(options.burst_size, in_flight))
            log(f"  delete them, {in_flight} in flight")
            figures["delete"], _ = await measured(deleted(names, in_flight))
            out["bare_kubevirt"].append(figures)
            out["seconds"][f"bare KubeVirt, {in_flight} in flight"] = round(time.monotonic() - began, 1)
        for per_second in options.rates:
            began = time.monotonic()
            log(f"  bare KubeVirt: {per_second:g} VMs/s for {options.rate_seconds:g} s, no kubenova")
            figures, names = await measured(bare.sustained(per_second, options.rate_seconds))
            log(f"  delete them, {delete_in_flight} in flight")
            figures["delete"], _ = await measured(deleted(names, delete_in_flight))
            out["bare_kubevirt_sustained"].append(figures)
            out["seconds"][f"bare KubeVirt {per_second:g}/s"] = round(time.monotonic() - began, 1)
    finally:
        bare.stop()


def run(options: Options, state_dir: Path, *, log: Log = print) -> dict[str, Any]:
    """Start a bench stack in ``state_dir``, run everything, return the report (JSON-ready)."""
    report: dict[str, Any] = {"options": asdict(options)}
    started = time.monotonic()
    with bench_stack(state_dir, log=lambda m: log(f"  [stack] {m}"), options=options.stack) as stack:
        driver = Driver(stack, settle=options.requests.settle)
        try:
            driver.setup()
            log("apiserver requests per server lifecycle (audit log):")
            report["requests"] = lifecycle.measure(stack, driver, options.requests, log)
        finally:
            driver.close()
        log("through the Nova API:")
        report |= asyncio.run(_phases(stack, driver.image_id, options, log))
        stack.check()
    report["seconds"]["total"] = round(time.monotonic() - started, 1)
    return report
