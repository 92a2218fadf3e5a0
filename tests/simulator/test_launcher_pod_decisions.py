"""The launcher pod manifest and the simulated guest's boot log (pure parts)."""

from __future__ import annotations

from typing import Any

from kubenova.kubevirt.models import VirtualMachineInstance
from kubevirt_simulator import boot_log, launcher_pods
from kubevirt_simulator.kubelet_api import tail_lines


def _vmi(log_serial_console: bool | None) -> VirtualMachineInstance:
    devices: dict[str, Any] = {"interfaces": [{"name": "default", "masquerade": {}}]}
    if log_serial_console is not None:
        devices["logSerialConsole"] = log_serial_console
    return VirtualMachineInstance.model_validate(
        {
            "metadata": {
                "name": "web",
                "namespace": "demo",
                "uid": "0b0f5a4c-1111-4222-8333-944455556666",
                "ownerReferences": [
                    {"kind": "VirtualMachine", "name": "web-vm", "uid": "u", "apiVersion": "v"}
                ],
            },
            "spec": {
                "hostname": "web-host",
                "domain": {"cpu": {"cores": 2}, "devices": devices},
                "networks": [{"name": "default", "pod": {}}],
                "tolerations": [{"key": "k", "operator": "Exists"}],
            },
            "status": {
                "phase": "Running",
                "nodeName": "n1",
                "interfaces": [{"name": "default", "ipAddress": "10.244.0.9", "ipAddresses": ["10.244.0.9"]}],
            },
        }
    )


def test_pod_carries_kubevirts_labels_owner_and_node() -> None:
    pod = launcher_pods.pod_manifest(_vmi(True), "n1")
    meta = pod["metadata"]
    assert meta["name"].startswith("virt-launcher-web-")
    assert meta["labels"] == {
        "kubevirt.io": "virt-launcher",
        "kubevirt.io/created-by": "0b0f5a4c-1111-4222-8333-944455556666",
        "vm.kubevirt.io/name": "web-vm",
    }
    (owner,) = meta["ownerReferences"]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("VirtualMachineInstance", "web", True)
    assert pod["spec"]["nodeName"] == "n1"
    assert pod["spec"]["tolerations"] == [{"key": "k", "operator": "Exists"}]
    assert [c["name"] for c in pod["spec"]["containers"]] == ["compute", "guest-console-log"]


def test_the_console_log_container_only_with_log_serial_console() -> None:
    assert launcher_pods.containers_of(_vmi(None)) == ["compute"]
    assert launcher_pods.containers_of(_vmi(False)) == ["compute"]
    assert launcher_pods.containers_of(_vmi(True)) == ["compute", "guest-console-log"]


def test_running_status_reports_every_container_started() -> None:
    pod = launcher_pods.pod_manifest(_vmi(True), "n1")
    status = launcher_pods.running_status(pod, "2026-01-01T00:00:00Z")
    assert status["phase"] == "Running"
    assert [c["name"] for c in status["containerStatuses"]] == ["compute", "guest-console-log"]


def test_boot_log_names_the_guest_and_ends_at_its_login_prompt() -> None:
    lines = boot_log.render(_vmi(True), "2026-01-01T00:00:00Z")
    assert "Set hostname to <web-host>." in "\n".join(lines)
    assert any("10.244.0.9" in line for line in lines)
    assert any("Allowing 2 CPUs" in line for line in lines)
    assert lines[-1] == "web-host login: "
    assert boot_log.tail(lines, 2) == lines[-2:]
    assert boot_log.tail(lines, 0) == []
    assert boot_log.tail(lines, None) == lines


def test_tail_lines_query() -> None:
    assert tail_lines({}) is None
    assert tail_lines({"tailLines": ["3"]}) == 3
    assert tail_lines({"tailLines": ["x"]}) is None


def test_a_soft_reboot_continues_the_log_with_a_second_boot() -> None:
    lines = boot_log.render(_vmi(True), "2026-01-01T00:00:00Z", ["2026-01-01T01:00:00Z"])
    text = "\n".join(lines)
    assert text.count("Linux version") == 2
    assert "reboot: Restarting system (2026-01-01T01:00:00Z)" in text
    assert lines[-1] == "web-host login: "
