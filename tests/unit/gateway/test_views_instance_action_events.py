"""Which event an instance action shows: a rebuild or evacuation whose scheduling found no host
failed in the conductor (``rebuild_server``), not on the compute host."""

from __future__ import annotations

import pytest

from kubenova_api.microversions import APIVersion
from kubenova_api.views.server_instance_actions import ActionRecord, EventOptions, detail
from tests.unit.operator import factories

NO_HOST = "No valid host was found."
OPTIONS = EventOptions(traceback=False, host=False, host_id=False, details=True)


def _event(action: str, result: str, message: str | None) -> tuple[str, str]:
    record = ActionRecord(
        action, "req-1", "u", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", result, message, True
    )
    server = factories.server(status={"host": "node-1"})
    (event,) = detail(record, server, "p", APIVersion(2, 51), OPTIONS)["events"]
    return event["event"], event["details"]


@pytest.mark.parametrize("action", ["rebuild", "evacuate"])
def test_no_valid_host_is_the_conductors_rebuild_server_event(action: str) -> None:
    assert _event(action, "Error", NO_HOST) == ("rebuild_server", NO_HOST)


def test_other_rebuild_results_are_the_compute_hosts_event() -> None:
    assert _event("rebuild", "Error", "DataVolumeError")[0] == "compute_rebuild_instance"
    assert _event("rebuild", "Success", None)[0] == "compute_rebuild_instance"
