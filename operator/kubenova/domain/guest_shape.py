"""Pure: a flavor's extra specs and an image's properties → the guest's shape, by Nova's rules.

Nova's libvirt driver reads the same keys (``nova/virt/hardware.py``, ``nova/virt/libvirt/``);
this module keeps its precedence rules and its error messages, and describes the result in
hypervisor-neutral terms (``kubevirt.guest_features`` turns it into VirtualMachine fields):

- CPU topology: flavor ``hw:cpu_{sockets,cores,threads}`` are preferences and
  ``hw:cpu_max_*`` limits; image ``hw_cpu_*`` may only lower the flavor's limits, and any image
  preference replaces the flavor's. The chosen topology always multiplies to the vCPU count:
  Nova's best one (most sockets*cores, then most sockets, closest to the preference).
- CPU policy: the image's ``hw_cpu_policy`` only applies when the flavor sets none (Nova's
  ImageCPUPinningForbidden otherwise); ``mixed`` has no KubeVirt counterpart and is refused.
- Page size: the image's ``hw_mem_page_size`` only applies when the flavor allows ``any`` or
  ``large`` (MemoryPageSizeForbidden otherwise).
- Watchdog: the flavor's ``hw:watchdog_action`` wins over the image's ``hw_watchdog_action``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

KIB_PER = {"": 1, "k": 1, "m": 1024, "g": 1024 * 1024, "t": 1024 * 1024 * 1024}
SMALL_PAGE_KIB = 4
HUGE_PAGE_SIZES = {2048: "2Mi", 1048576: "1Gi"}
"""Huge page sizes (KiB) a KubeVirt guest can ask for, as Kubernetes names the resources."""

DISK_BUSES = {"virtio", "scsi", "sata", "usb"}
"""Nova ``hw_disk_bus`` values KubeVirt's ``disk.bus`` accepts (Nova also has ide, fdc, xen, ...)."""
VIF_MODELS = {"virtio", "e1000", "e1000e", "igb", "ne2k_pci", "pcnet", "rtl8139"}
"""Nova ``hw_vif_model`` values KubeVirt's ``interfaces[].model`` accepts."""
WATCHDOG_ACTIONS = {"reset": "reset", "poweroff": "poweroff"}
"""Nova watchdog actions an i6300esb in KubeVirt can carry (KubeVirt has poweroff/reset/shutdown)."""
TRUE = {"true", "yes", "1", "on", "y", "t"}


class GuestShapeError(ValueError):
    """Nova's refusal of a flavor/image combination (a 400 at create, ERROR at build)."""


@dataclass(frozen=True)
class Topology:
    sockets: int
    cores: int
    threads: int


@dataclass(frozen=True)
class GuestShape:
    topology: Topology
    dedicated_cpus: bool = False
    isolate_emulator_thread: bool = False
    guest_numa: bool = False
    """Guest NUMA mirroring the host cells of the pinned CPUs (only with dedicated CPUs and huge pages)."""
    huge_page_size: str | None = None
    firmware: str | None = None  # "bios" | "uefi" | None (hypervisor default)
    secure_boot: bool = False
    machine_type: str | None = None
    disk_bus: str | None = None
    vif_model: str | None = None
    watchdog_action: str | None = None


def shape(vcpus: int, extra_specs: Mapping[str, str], properties: Mapping[str, str]) -> GuestShape:
    """The guest shape for a flavor of ``vcpus`` with ``extra_specs`` and an image with
    ``properties``; ``GuestShapeError`` with Nova's message when the combination is refused."""
    dedicated = _dedicated(extra_specs, properties)
    page = page_size_kib(extra_specs, properties)
    huge = _huge_page(page)
    numa = bool(extra_specs.get("hw:numa_nodes") or properties.get("hw_numa_nodes"))
    firmware = properties.get("hw_firmware_type") or None
    secure = (extra_specs.get("os:secure_boot") or properties.get("os_secure_boot")) == "required"
    return GuestShape(
        topology=best_topology(vcpus, extra_specs, properties),
        dedicated_cpus=dedicated,
        isolate_emulator_thread=dedicated and _emulator_isolated(extra_specs, properties),
        guest_numa=numa and dedicated and huge is not None,
        huge_page_size=huge,
        firmware=firmware,
        secure_boot=secure and firmware == "uefi",  # Nova's libvirt driver: secure boot is UEFI's
        machine_type=properties.get("hw_machine_type") or None,
        disk_bus=_choice("hw_disk_bus", properties, DISK_BUSES),
        vif_model=_choice("hw_vif_model", properties, VIF_MODELS),
        watchdog_action=_watchdog(extra_specs, properties),
    )


# ----- CPU topology (nova.virt.hardware.get_cpu_topology_constraints / get_best_cpu_topology) ---


def _int(key: str, source: Mapping[str, str]) -> int:
    raw = source.get(key)
    if raw in (None, ""):
        return 0
    try:
        return int(str(raw))
    except ValueError as e:
        raise GuestShapeError(f"Invalid flavor extra spec. Error: {e}") from None


def _pair(name: str, specs: Mapping[str, str], props: Mapping[str, str]) -> tuple[int, int]:
    return _int(f"hw:{name}", specs), _int(f"hw_{name}", props)


def topology_constraints(specs: Mapping[str, str], props: Mapping[str, str]) -> tuple[Topology, Topology]:
    """(preferred, maximum) as Nova derives them; 0 in ``preferred`` means no preference."""
    f_max = [_pair(f"cpu_max_{n}", specs, props) for n in ("sockets", "cores", "threads")]
    if any(flavor and image > flavor for flavor, image in f_max):
        raise GuestShapeError(
            "Image vCPU topology limits (sockets={}, cores={}, threads={}) exceeds the limits of the "
            "flavor (sockets={}, cores={}, threads={})".format(*(i for _, i in f_max), *(f for f, _ in f_max))
        )
    maximum = Topology(*(image or flavor or 65536 for flavor, image in f_max))
    pref = [_pair(f"cpu_{n}", specs, props) for n in ("sockets", "cores", "threads")]
    flavor_pref = [f for f, _ in pref]
    image_pref = [i for _, i in pref]
    if any(p > m for p, m in zip(flavor_pref, _tuple(maximum), strict=True)):
        flavor_pref = [0, 0, 0]  # the image's limits discard the flavor's preference
    if any(p > m for p, m in zip(image_pref, _tuple(maximum), strict=True)):
        raise GuestShapeError(
            "Image vCPU topology (sockets={}, cores={}, threads={}) exceeds the limits of the flavor "
            "or image (sockets={}, cores={}, threads={})".format(*image_pref, *_tuple(maximum))
        )
    chosen = image_pref if any(image_pref) else flavor_pref
    return Topology(*chosen), maximum


def best_topology(vcpus: int, specs: Mapping[str, str], props: Mapping[str, str]) -> Topology:
    """Nova's best topology for ``vcpus``: sockets*cores*threads == vcpus within the limits,
    closest to the preference. With no topology key at all, one socket of ``vcpus`` cores
    (kubenova's shape before topology keys were honoured; Nova's libvirt gives one socket per vCPU)."""
    preferred, maximum = topology_constraints(specs, props)
    if not any(_tuple(preferred)) and maximum == Topology(65536, 65536, 65536):
        return Topology(1, vcpus, 1)
    limits = [min(vcpus, m) for m in _tuple(maximum)]
    possible = [
        Topology(s, c, t)
        for s in range(1, limits[0] + 1)
        for c in range(1, limits[1] + 1)
        for t in range(1, limits[2] + 1)
        if s * c * t == vcpus
    ]
    if not possible:
        raise GuestShapeError(
            "Requested vCPU limits {}:{}:{} are impossible to satisfy for vcpus count {}".format(
                *limits, vcpus
            )
        )
    possible.sort(key=lambda t: (t.sockets * t.cores, t.sockets, t.threads), reverse=True)

    def score(t: Topology) -> int:
        return sum(1 for got, want in zip(_tuple(t), _tuple(preferred), strict=True) if want and got == want)

    return max(possible, key=score)  # max keeps the first of equal scores, as Nova's buckets do


def _tuple(t: Topology) -> tuple[int, int, int]:
    return (t.sockets, t.cores, t.threads)


# ----- CPU policy, huge pages ------------------------------------------------------------------


def cpu_policy(specs: Mapping[str, str], props: Mapping[str, str]) -> str:
    """The CPU policy: the flavor's, else the image's (which may not contradict the flavor's)."""
    flavor, image = specs.get("hw:cpu_policy"), props.get("hw_cpu_policy")
    if flavor and image and image != flavor:
        raise GuestShapeError(
            "Image property 'hw_cpu_policy' is not permitted to override CPU pinning policy set "
            "against the flavor"
        )
    return flavor or image or "shared"


def _dedicated(specs: Mapping[str, str], props: Mapping[str, str]) -> bool:
    policy = cpu_policy(specs, props)
    if policy == "mixed":
        raise GuestShapeError("CPU policy 'mixed' is not supported: KubeVirt pins all vCPUs or none.")
    return policy == "dedicated"


def _emulator_isolated(specs: Mapping[str, str], props: Mapping[str, str]) -> bool:
    return (specs.get("hw:emulator_threads_policy") or props.get("hw_emulator_threads_policy")) == "isolate"


def _page_kib(request: str) -> int | str:
    if request in ("any", "large", "small"):
        return request
    if request.isdigit():
        return int(request)
    match = re.fullmatch(r"(\d+)\s*([kKmMgGtT]?)i?(?:b|bit|B)?", request)
    if match is None:
        raise GuestShapeError(f"Invalid memory page size '{request}'")
    number, unit = match.groups()
    return int(number) * KIB_PER[unit.lower()]


def page_size_kib(specs: Mapping[str, str], props: Mapping[str, str]) -> int | str | None:
    """Nova's page size request (KiB, or any/large/small), with the image's only where allowed."""
    flavor, image = specs.get("hw:mem_page_size"), props.get("hw_mem_page_size")
    if not flavor and image:
        raise GuestShapeError(f"Page size {image} forbidden against '<empty>'")
    if not flavor:
        return None
    size = _page_kib(flavor)
    if image and size in ("any", "large"):
        return _page_kib(image)
    if image:
        raise GuestShapeError(f"Page size {image} forbidden against '{flavor}'")
    return size


def _huge_page(size: int | str | None) -> str | None:
    """KubeVirt's ``hugepages.pageSize``: ``large`` takes 2Mi; ``any``/``small``/4 KiB take none."""
    if size is None or size in ("any", "small", SMALL_PAGE_KIB):
        return None
    if size == "large":
        return HUGE_PAGE_SIZES[2048]
    if isinstance(size, int) and size in HUGE_PAGE_SIZES:
        return HUGE_PAGE_SIZES[size]
    raise GuestShapeError(f"Page size {size} is not supported by the host.")


# ----- devices ---------------------------------------------------------------------------------


def _choice(key: str, props: Mapping[str, str], allowed: set[str]) -> str | None:
    value = props.get(key)
    if not value:
        return None
    if value not in allowed:
        raise GuestShapeError(f"Requested hardware '{value}' is not supported by the 'kubevirt' virt driver")
    return value


def _watchdog(specs: Mapping[str, str], props: Mapping[str, str]) -> str | None:
    action = specs.get("hw:watchdog_action") or props.get("hw_watchdog_action") or "disabled"
    if action in ("disabled", "none"):
        return None  # "none" (a device that does nothing) has no KubeVirt counterpart
    if action not in WATCHDOG_ACTIONS:
        raise GuestShapeError(f"Provided watchdog action ({action}) is not supported.")
    return WATCHDOG_ACTIONS[action]


def refusal(vcpus: int, extra_specs: Mapping[str, str], properties: Mapping[str, str]) -> str | None:
    """Nova's message refusing this flavor/image combination, or ``None`` when it is buildable."""
    try:
        shape(vcpus, extra_specs, properties)
    except GuestShapeError as refused:
        return str(refused)
    return None


def api_refusal(vcpus: int, extra_specs: Mapping[str, str], properties: Mapping[str, str]) -> str | None:
    """The refusals Nova's API makes at create and rebuild (a 400: CPU topology, CPU policy
    override, page size request); the rest of ``refusal`` is a build failure in Nova too."""
    try:
        best_topology(vcpus, extra_specs, properties)
        cpu_policy(extra_specs, properties)
        page_size_kib(extra_specs, properties)
    except GuestShapeError as refused:
        return str(refused)
    return None
