"""Pure: a ``GuestShape`` (Nova's reading of flavor extra specs and image properties, in
``domain.guest_shape``) → the VirtualMachineInstance domain fields KubeVirt has for it.

- topology → ``domain.cpu.sockets/cores/threads``; dedicated CPUs → ``dedicatedCpuPlacement``
  (and ``isolateEmulatorThread``); guest NUMA → ``cpu.numa.guestMappingPassthrough``;
- huge pages → ``domain.memory.hugepages.pageSize``;
- firmware → ``firmware.bootloader.bios`` / ``.efi`` (``secureBoot``, which KubeVirt only accepts
  with ``features.smm.enabled``); machine type → ``domain.machine.type``;
- disk bus → every disk's ``disk.bus`` but the cloud-init disk; NIC model → ``interfaces[].model``;
- watchdog → ``devices.watchdog`` (an i6300esb, KubeVirt's only model).
"""

from __future__ import annotations

from kubenova.domain.guest_shape import GuestShape
from kubenova.kubevirt import models

WATCHDOG_NAME = "watchdog"


def cpu(shape: GuestShape) -> models.Cpu:
    topology = shape.topology
    return models.Cpu(
        sockets=topology.sockets,
        cores=topology.cores,
        threads=topology.threads,
        dedicated_cpu_placement=True if shape.dedicated_cpus else None,
        isolate_emulator_thread=True if shape.isolate_emulator_thread else None,
        numa=models.CpuNuma(guest_mapping_passthrough={}) if shape.guest_numa else None,
    )


def memory(shape: GuestShape, guest: str) -> models.Memory:
    pages = models.Hugepages(page_size=shape.huge_page_size) if shape.huge_page_size else None
    return models.Memory(guest=guest, hugepages=pages)


def firmware(shape: GuestShape, uuid: str | None) -> models.Firmware:
    bootloader = None
    if shape.firmware == "uefi":
        bootloader = models.Bootloader(efi=models.Efi(secure_boot=shape.secure_boot))
    elif shape.firmware == "bios":
        bootloader = models.Bootloader(bios={})
    return models.Firmware(uuid=uuid, bootloader=bootloader)


def features(shape: GuestShape) -> models.Features | None:
    return models.Features(smm=models.FeatureState(enabled=True)) if shape.secure_boot else None


def machine(shape: GuestShape) -> models.Machine | None:
    return models.Machine(type=shape.machine_type) if shape.machine_type else None


def disk_bus(shape: GuestShape) -> str:
    return shape.disk_bus or "virtio"


def watchdog(shape: GuestShape) -> models.Watchdog | None:
    if shape.watchdog_action is None:
        return None
    return models.Watchdog(name=WATCHDOG_NAME, i6300esb=models.I6300esbWatchdog(action=shape.watchdog_action))
