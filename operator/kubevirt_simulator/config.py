"""Command-line configuration of the simulator (``python -m kubevirt_simulator --help``)."""

from __future__ import annotations

import argparse
import ipaddress
from dataclasses import dataclass
from decimal import Decimal

from kubenova.quantities import parse_quantity


@dataclass(frozen=True)
class NodeShape:
    """Capacity of the Nodes the simulator registers (and the default for managed Nodes without one)."""

    cpu: str = "16"
    memory: str = "64Gi"
    ephemeral_storage: str = "200Gi"
    pods: str = "110"


@dataclass(frozen=True)
class SimulatorConfig:
    nodes: int = 3
    node_prefix: str = "sim-node-"
    node_shape: NodeShape = NodeShape()
    phase_delay: float = 0.3
    """Seconds between two VMI (or migration) phase steps."""
    ip_cidr: str = "10.244.0.0/16"
    heartbeat_interval: float = 10.0
    workers: int = 2
    resync_period: float = 60.0
    """Every object is reconciled at least this often, even without events."""
    restart_backoff: float = 1.0
    """First delay before restarting a VMI that failed to start (CrashLoopBackOff); doubles per failure."""
    restart_backoff_max: float = 30.0
    cpu_allocation_ratio: Decimal = Decimal(10)
    """KubeVirt's CPU overcommit: a virt-launcher pod requests 1/ratio CPU per vCPU."""
    unschedulable_retry: float = 2.0
    """How often a VMI that cannot be placed is retried without any Node event."""
    subresource_api: bool = False
    """Serve subresources.kubevirt.io (start/stop/restart/migrate/pause/unpause) via the aggregator."""
    subresource_api_host: str = "127.0.0.1"
    subresource_api_port: int = 0
    """0: any free port (the APIService is registered with the port actually bound)."""
    import_bandwidth: str = "8Gi"
    """Bytes per second a simulated CDI import or clone copies: a disk of N bytes takes N / this."""
    log_level: str = "INFO"


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _quantity(text: str) -> str:
    try:
        parse_quantity(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def _cidr(text: str) -> str:
    try:
        net = ipaddress.IPv4Network(text, strict=True)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    if net.num_addresses < 4:
        raise argparse.ArgumentTypeError("the CIDR must hold at least 2 usable addresses")
    return text


def build_parser() -> argparse.ArgumentParser:
    d = SimulatorConfig()
    p = argparse.ArgumentParser(
        prog="kubevirt_simulator",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="KubeVirt simulator: plays virt-controller and virt-handler against a real "
        "Kubernetes API server, on fake Nodes. Reads KUBECONFIG (or the in-cluster config).",
    )
    nodes = p.add_argument_group("fake Nodes")
    nodes.add_argument("--nodes", type=_positive_int, default=d.nodes, help="Nodes to register at start")
    nodes.add_argument("--node-prefix", default=d.node_prefix, help="name prefix of the registered Nodes")
    nodes.add_argument("--node-cpu", type=_quantity, default=d.node_shape.cpu, help="cpu capacity")
    nodes.add_argument("--node-memory", type=_quantity, default=d.node_shape.memory, help="memory capacity")
    nodes.add_argument(
        "--node-disk",
        type=_quantity,
        default=d.node_shape.ephemeral_storage,
        help="ephemeral-storage capacity",
    )
    nodes.add_argument("--node-pods", type=_quantity, default=d.node_shape.pods, help="pods capacity")
    nodes.add_argument(
        "--heartbeat-interval",
        type=_non_negative_float,
        default=d.heartbeat_interval,
        help="seconds between Node status heartbeats and Lease renewals",
    )
    vmis = p.add_argument_group("VMIs")
    vmis.add_argument(
        "--phase-delay",
        type=_non_negative_float,
        default=d.phase_delay,
        help="seconds per VMI (and migration) phase step",
    )
    vmis.add_argument("--ip-cidr", type=_cidr, default=d.ip_cidr, help="pool of VMI IPv4 addresses")
    vmis.add_argument(
        "--cpu-allocation-ratio",
        type=Decimal,
        default=d.cpu_allocation_ratio,
        help="KubeVirt's CPU overcommit: a VMI without a cpu request requests vCPUs/ratio",
    )
    vmis.add_argument(
        "--restart-backoff",
        type=_non_negative_float,
        default=d.restart_backoff,
        help="first CrashLoopBackOff delay in seconds (doubles per consecutive start failure)",
    )
    vmis.add_argument(
        "--restart-backoff-max",
        type=_non_negative_float,
        default=d.restart_backoff_max,
        help="longest CrashLoopBackOff delay in seconds",
    )
    vmis.add_argument(
        "--unschedulable-retry",
        type=_non_negative_float,
        default=d.unschedulable_retry,
        help="seconds between placement attempts of an unschedulable VMI (Node events retry at once)",
    )
    storage = p.add_argument_group("CDI and storage")
    storage.add_argument(
        "--import-bandwidth",
        type=_quantity,
        default=d.import_bandwidth,
        help="bytes per second a DataVolume import or clone copies (progress grows by this per second)",
    )
    api = p.add_argument_group("subresource API (virt-api)")
    api.add_argument(
        "--subresource-api",
        action="store_true",
        help="serve subresources.kubevirt.io/v1 and register it as an APIService",
    )
    api.add_argument(
        "--subresource-api-host",
        default=d.subresource_api_host,
        help="address to listen on; the API server must reach it (identity headers are "
        "trusted, keep it on loopback)",
    )
    api.add_argument(
        "--subresource-api-port",
        type=_positive_int,
        default=d.subresource_api_port,
        help="port to listen on (0: any free port)",
    )
    runtime = p.add_argument_group("runtime")
    runtime.add_argument("--workers", type=_positive_int, default=d.workers, help="reconcile threads")
    runtime.add_argument(
        "--resync-period",
        type=_non_negative_float,
        default=d.resync_period,
        help="seconds between full re-reconciles (0: never)",
    )
    runtime.add_argument("--log-level", default=d.log_level, choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return p


def parse_args(argv: list[str] | None = None) -> SimulatorConfig:
    ns = build_parser().parse_args(argv)
    if ns.workers < 1:
        raise SystemExit("--workers must be >= 1")
    if ns.cpu_allocation_ratio <= 0:
        raise SystemExit("--cpu-allocation-ratio must be > 0")
    if parse_quantity(ns.import_bandwidth) <= 0:
        raise SystemExit("--import-bandwidth must be > 0")
    return SimulatorConfig(
        nodes=ns.nodes,
        node_prefix=ns.node_prefix,
        node_shape=NodeShape(
            cpu=ns.node_cpu, memory=ns.node_memory, ephemeral_storage=ns.node_disk, pods=ns.node_pods
        ),
        phase_delay=ns.phase_delay,
        ip_cidr=ns.ip_cidr,
        heartbeat_interval=ns.heartbeat_interval,
        workers=ns.workers,
        resync_period=ns.resync_period,
        restart_backoff=ns.restart_backoff,
        restart_backoff_max=ns.restart_backoff_max,
        cpu_allocation_ratio=ns.cpu_allocation_ratio,
        unschedulable_retry=ns.unschedulable_retry,
        subresource_api=ns.subresource_api,
        subresource_api_host=ns.subresource_api_host,
        subresource_api_port=ns.subresource_api_port,
        import_bandwidth=ns.import_bandwidth,
        log_level=ns.log_level,
    )
