"""The serial console log of a simulated guest: what a cloud image prints on ttyS0 while it boots.

Real KubeVirt streams whatever the guest writes to its serial console into the virt-launcher
pod's ``guest-console-log`` container; there is no guest here, so the simulator renders a plausible
boot log from the VMI itself (its hostname, address, vCPUs and firmware uuid), as of the time its
launcher pod started. The text is a pure function of the VMI and the pod, so a restarted
simulator serves the same log.
"""

from __future__ import annotations

from kubenova.kubevirt.models import VirtualMachineInstance
from kubevirt_simulator.vmi_facts import pod_ip


def _vcpus(vmi: VirtualMachineInstance) -> int:
    cpu = vmi.spec.domain.cpu
    if cpu is None:
        return 1
    return max(1, (cpu.cores or 1) * (cpu.sockets or 1) * (cpu.threads or 1))


def render(vmi: VirtualMachineInstance, started_at: str, reboots: list[str] | None = None) -> list[str]:
    """The console of ``vmi``'s guest, booted at ``started_at`` (RFC 3339) and soft-rebooted at
    each of ``reboots`` (virt-launcher restarts the guest in place: the log goes on)."""
    lines = _boot(vmi, started_at)
    for at in sorted(reboots or []):
        lines += [
            "[  OK  ] Stopped target Multi-User System.",
            "[  OK  ] Reached target System Reboot.",
            f"[ 1024.000000] reboot: Restarting system ({at})",
            *_boot(vmi, at),
        ]
    return lines


def _boot(vmi: VirtualMachineInstance, started_at: str) -> list[str]:
    hostname = vmi.spec.hostname or vmi.metadata.name or "localhost"
    address = pod_ip(vmi)
    firmware = vmi.spec.domain.firmware
    uuid = (firmware.uuid if firmware else None) or str(vmi.metadata.uid)
    vcpus = _vcpus(vmi)
    lines = [
        "[    0.000000] Linux version 6.1.0-kubevirt-simulator (kubevirt-simulator) #1 SMP PREEMPT_DYNAMIC",
        "[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz root=LABEL=cloudimg-rootfs ro console=tty1 "
        "console=ttyS0",
        "[    0.000000] DMI: KubeVirt None/RHEL, BIOS 1.16.3-2.el9 04/01/2014",
        f"[    0.000000] DMI: system uuid {uuid}",
        "[    0.000000] Hypervisor detected: KVM",
        f"[    0.012000] smpboot: Allowing {vcpus} CPUs, 0 hotplug CPUs",
        "[    0.402000] Serial: 8250/16550 driver, 4 ports, IRQ sharing enabled",
        "[    0.403000] 00:00: ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A",
        "[    0.871000] virtio_blk virtio2: [vda] 20971520 512-byte logical blocks (10.7 GB/10.0 GiB)",
        "[    1.204000] EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.",
        "[    1.530000] systemd[1]: Detected virtualization kvm.",
        f"[    1.531000] systemd[1]: Set hostname to <{hostname}>.",
        f"cloud-init[412]: Cloud-init v. 24.1 running 'init' at {started_at}. Up 3.42 seconds.",
        "cloud-init[412]: ci-info: ++++++++++++++++++++++++Net device info+++++++++++++++++++++++++",
    ]
    if address:
        lines.append(f"cloud-init[412]: ci-info: | eth0 | True | {address} | global |")
    else:
        lines.append("cloud-init[412]: ci-info: no network device with an address")
    lines += [
        f"cloud-init[590]: Cloud-init v. 24.1 running 'modules:final' at {started_at}. Up 6.10 seconds.",
        "cloud-init[590]: Cloud-init v. 24.1 finished. Datasource DataSourceNoCloud [seed=/dev/vdb].",
        "",
        f"{hostname} login: ",
    ]
    return lines


def tail(lines: list[str], count: int | None) -> list[str]:
    """The kubelet's ``tailLines``: the last ``count`` lines (all when ``None``)."""
    if count is None:
        return lines
    return lines[-count:] if count > 0 else []
