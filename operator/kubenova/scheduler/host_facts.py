"""What a KubeVirt host offers guests, as Nova's compute node reports it.

Nova's libvirt driver advertises ``supported_instances`` (architecture, hypervisor type, VM mode)
and ``hypervisor_type`` "QEMU". A KubeVirt Node runs QEMU/KVM guests of its own architecture
(the kubelet's ``kubernetes.io/arch`` label, in Go's names: amd64, arm64, ...), in hvm mode, so
it advertises (arch, kvm, hvm) and (arch, qemu, hvm). Nova's canonical names are used throughout.
"""

from __future__ import annotations

from kubenova.scheduler.host_state import HostState

ARCH_LABEL = "kubernetes.io/arch"
HYPERVISOR_TYPE = "QEMU"
HYPERVISOR_TYPES = ("kvm", "qemu")
VM_MODE = "hvm"

_GO_ARCH = {"amd64": "x86_64", "arm64": "aarch64", "386": "i686", "arm": "armv7l", "ppc64le": "ppc64le"}
_ARCH_ALIASES = {"i386": "i686", "i486": "i686", "i586": "i686", "x86_32": "i686", "amd64": "x86_64"}
_HV_ALIASES = {"xapi": "xen"}
_VM_MODE_ALIASES = {"pv": "xen", "hv": "hvm", "baremetal": "hvm"}


def canonical_arch(value: str) -> str:
    """Nova's ``Architecture.canonicalize``: lower case, old aliases mapped."""
    lowered = value.strip().lower()
    return _ARCH_ALIASES.get(lowered, lowered)


def canonical_hv_type(value: str) -> str:
    """Nova's ``HVType.canonicalize``."""
    lowered = value.strip().lower()
    return _HV_ALIASES.get(lowered, lowered)


def canonical_vm_mode(value: str) -> str:
    """Nova's ``VMMode.canonicalize``."""
    lowered = value.strip().lower()
    return _VM_MODE_ALIASES.get(lowered, lowered)


def architecture(host: HostState) -> str | None:
    """The host's architecture in Nova's names, from the Node's label; None without the label."""
    label = host.labels.get(ARCH_LABEL)
    if not label:
        return None
    return _GO_ARCH.get(label, canonical_arch(label))


def supported_instances(host: HostState) -> list[tuple[str, str, str]]:
    """(architecture, hypervisor type, vm mode) the host can run; empty when its arch is unknown."""
    arch = architecture(host)
    if arch is None:
        return []
    return [(arch, hv_type, VM_MODE) for hv_type in HYPERVISOR_TYPES]


def capabilities(host: HostState) -> dict[str, object]:
    """The host facts ComputeCapabilitiesFilter can match (Nova's ``HostState`` attributes that
    a KubeVirt Node has); nested ``cpu_info`` as Nova's libvirt driver reports it."""
    return {
        "host": host.name,
        "hypervisor_hostname": host.name,
        "hypervisor_type": HYPERVISOR_TYPE,
        "cpu_info": {"arch": architecture(host) or ""},
        "vcpus": host.total_vcpus,
        "vcpus_used": host.used_vcpus,
        "memory_mb": host.total_memory_mb,
        "memory_mb_used": host.used_memory_mb,
        "free_ram_mb": host.free_ram_mb,
        "local_gb": host.total_disk_gb,
        "local_gb_used": host.used_disk_gb,
        "free_disk_gb": host.free_disk_gb,
        "num_instances": host.num_instances,
    }
