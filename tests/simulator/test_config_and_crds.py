"""Command-line configuration and the CRD manifests (pure)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kubevirt_simulator.config import SimulatorConfig, parse_args
from kubevirt_simulator.crds import MANIFESTS


def test_defaults_match_the_documented_flags() -> None:
    config = parse_args([])
    assert config == SimulatorConfig()
    assert config.nodes == 3
    assert config.phase_delay == 0.3
    assert config.ip_cidr == "10.244.0.0/16"
    assert config.node_shape.cpu == "16"
    assert config.node_shape.memory == "64Gi"
    assert config.node_shape.ephemeral_storage == "200Gi"


def test_flags() -> None:
    config = parse_args(
        [
            "--nodes",
            "5",
            "--node-cpu",
            "8",
            "--node-memory",
            "32Gi",
            "--node-disk",
            "50Gi",
            "--phase-delay",
            "0.1",
            "--ip-cidr",
            "10.10.0.0/24",
            "--cpu-allocation-ratio",
            "4",
        ]
    )
    assert (config.nodes, config.phase_delay, config.ip_cidr) == (5, 0.1, "10.10.0.0/24")
    assert (config.node_shape.cpu, config.node_shape.memory, config.node_shape.ephemeral_storage) == (
        "8",
        "32Gi",
        "50Gi",
    )
    assert config.cpu_allocation_ratio == Decimal(4)


@pytest.mark.parametrize(
    "argv",
    [
        ["--nodes", "-1"],
        ["--node-memory", "lots"],
        ["--ip-cidr", "10.0.0.1/24"],
        ["--ip-cidr", "10.0.0.0/31"],
        ["--phase-delay", "-2"],
        ["--workers", "0"],
    ],
)
def test_invalid_flags_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(argv)


def test_crds_are_kubevirt_shaped() -> None:
    by_kind = {m["spec"]["names"]["kind"]: m for m in MANIFESTS}
    assert set(by_kind) == {
        "VirtualMachine",
        "VirtualMachineInstance",
        "VirtualMachineInstanceMigration",
        "DataVolume",
    }
    dv = by_kind["DataVolume"]
    assert dv["metadata"]["name"] == "datavolumes.cdi.kubevirt.io"
    assert dv["spec"]["group"] == "cdi.kubevirt.io"
    assert dv["spec"]["versions"][0]["name"] == "v1beta1"
    assert dv["spec"]["names"]["shortNames"] == ["dv", "dvs"]
    vmi = by_kind["VirtualMachineInstance"]
    assert vmi["metadata"]["name"] == "virtualmachineinstances.kubevirt.io"
    assert vmi["spec"]["scope"] == "Namespaced"
    assert vmi["spec"]["names"]["shortNames"] == ["vmi", "vmis"]
    (version,) = vmi["spec"]["versions"]
    assert version["subresources"] == {"status": {}}
    assert version["schema"]["openAPIV3Schema"]["x-kubernetes-preserve-unknown-fields"] is True
    columns = {c["name"]: c["jsonPath"] for c in version["additionalPrinterColumns"]}
    assert columns["IP"] == ".status.interfaces[0].ipAddress"
    assert columns["NodeName"] == ".status.nodeName"
    assert columns["Ready"] == ".status.conditions[?(@.type=='Ready')].status"
    vm_columns = {
        c["name"]: c["jsonPath"]
        for c in by_kind["VirtualMachine"]["spec"]["versions"][0]["additionalPrinterColumns"]
    }
    assert vm_columns["Status"] == ".status.printableStatus"
