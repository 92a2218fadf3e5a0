"""Reading VMs/VMIs never fails on status values the typed subset does not know."""

from __future__ import annotations

from kubenova.kubevirt import client, models


def test_unknown_printable_status_is_kept_raw() -> None:
    observed = client.parse_vm(
        {
            "metadata": {"name": "v"},
            "spec": {"runStrategy": "Always"},
            "status": {"printableStatus": "ErrImagePull", "runStrategy": "WaitAsReceiver"},
        }
    )
    assert observed.printable_status == "ErrImagePull"
    assert observed.vm.spec.run_strategy is models.RunStrategy.ALWAYS


def test_known_vm_status_parses_normally() -> None:
    observed = client.parse_vm({"metadata": {"name": "v"}, "status": {"printableStatus": "Running"}})
    assert observed.vm.status.printable_status is models.PrintableStatus.RUNNING
    assert observed.printable_status == "Running"


def test_vmi_with_unknown_phase_parses_without_status() -> None:
    vmi = client.parse_vmi({"metadata": {"name": "v", "uid": "u"}, "status": {"phase": "WaitingForSync"}})
    assert vmi.metadata.uid == "u"
    assert vmi.status.phase is None
