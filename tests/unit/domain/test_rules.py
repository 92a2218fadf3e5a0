"""Pure domain rules: pending tasks, requested placement, zones, flavors, footprints."""

from __future__ import annotations

from typing import Any

from kubenova.domain import flavors, footprint, pending, placement_request, zones
from kubenova.resources.flavor import Flavor
from kubenova.resources.image import Image
from kubenova.resources.server import Server, ServerSpec
from kubenova.resources.states import TaskState, VmState


def _server(spec: dict[str, Any] | None = None, status: dict[str, Any] | None = None) -> Server:
    return Server.model_validate(
        {
            "metadata": {"name": "s", "namespace": "p", "uid": "u1"},
            "spec": {"flavor": "f", "image": "i", **(spec or {})},
            "status": status or {},
        }
    )


def test_an_unseen_server_is_scheduling() -> None:
    server = _server()
    assert pending.vm_state(server) is VmState.BUILDING
    assert pending.task_state(server) is TaskState.SCHEDULING


def test_a_stop_not_yet_taken_up_shows_powering_off() -> None:
    server = _server({"powerState": "Stopped"}, {"vmState": "active"})
    assert pending.task_state(server) is TaskState.POWERING_OFF
    assert pending.power_unsettled(server)


def test_the_operators_task_wins_over_the_implied_one() -> None:
    server = _server({"powerState": "Stopped"}, {"vmState": "active", "taskState": "rebooting"})
    assert pending.task_state(server) is TaskState.REBOOTING


def test_a_pending_hard_reboot() -> None:
    server = _server({"reboot": {"type": "HARD", "requestId": "req-1"}}, {"vmState": "error"})
    assert pending.reboot_pending(server)
    assert pending.task_state(server) is TaskState.REBOOTING_HARD
    handled = _server(
        {"reboot": {"type": "HARD", "requestId": "req-1"}}, {"vmState": "active", "handledReboot": "req-1"}
    )
    assert not pending.reboot_pending(handled)
    assert pending.task_state(handled) is None


def test_placement_request_forms() -> None:
    assert placement_request.parse("az1:node-2") == placement_request.RequestedPlacement("az1", "node-2")
    assert placement_request.parse(":node-2").host == "node-2"
    assert placement_request.parse("az1").host is None
    assert placement_request.parse(None) == placement_request.RequestedPlacement()
    # zone::node forces that node's host (one node per host, of the same name); kubectl too
    assert placement_request.parse("az1::node-2") == placement_request.RequestedPlacement(
        "az1", "node-2", "node-2"
    )
    assert (
        placement_request.of_spec(ServerSpec(flavor="f", image="i", availability_zone="nova::n1")).host
        == "n1"
    )
    assert placement_request.parse_error("a:b:c:d") == "Unable to parse availability_zone"
    assert placement_request.parse_error("a:b:c") is None
    assert placement_request.node_mismatch(placement_request.parse("a:h1:h2")) is not None
    assert placement_request.node_mismatch(placement_request.parse("a:h1:h1")) is None
    spec = ServerSpec(flavor="f", image="i", availability_zone="az1", forced_host="node-3")
    requested = placement_request.of_spec(spec)
    assert (requested.zone, requested.host, requested.availability_zone) == ("az1", "node-3", "az1:node-3")


def test_zone_of_a_host_is_the_first_zoned_aggregate_by_name() -> None:
    aggs = [
        zones.AggregateInfo("b", "az-b", frozenset({"h1"})),
        zones.AggregateInfo("a", None, frozenset({"h1"})),
        zones.AggregateInfo("c", "az-c", frozenset({"h1", "h2"})),
    ]
    assert zones.zone_of("h1", aggs, "nova") == "az-b"
    assert zones.conflicting_zones("h1", aggs) == ["az-b", "az-c"]
    assert zones.zone_of("h3", aggs, "nova") == "nova"
    assert zones.conflicting_zones("h2", aggs) == []


def test_flavor_embedding_and_image_fit() -> None:
    flavor = Flavor.model_validate(
        {"metadata": {"name": "m1.small"}, "spec": {"vcpus": 1, "ram": 512, "disk": 1, "swap": 1500}}
    )
    embedded = flavors.embed(flavor)
    assert (embedded.id, embedded.vcpus, embedded.ram, embedded.disk) == ("m1.small", 1, 512, 1)
    image = Image.model_validate(
        {
            "metadata": {"name": "i"},
            "spec": {"containerDisk": {"image": "quay.io/x:1"}, "minRam": 1024, "minDisk": 2},
        }
    )
    assert flavors.image_fit_error(embedded, image) == "Flavor's memory is too small for requested image."
    assert footprint.of_flavor(embedded) == footprint.Footprint(1, 512, 3)
