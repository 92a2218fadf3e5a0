"""Builds that cannot succeed end in ERROR with a Nova fault; ERROR servers still delete."""

from __future__ import annotations

import pytest

from tests.fixtures.simulator import FAIL_VMIS_ANNOTATION, ManagedNodeFactory
from tests.integration.compute import Compute, unique

pytestmark = pytest.mark.cluster


def fault_of(compute: Compute, name: str) -> dict[str, object]:
    server = compute.wait_status(name, "ERROR", timeout=30)
    status = server["status"]
    assert status["vmState"] == "error"
    assert status.get("host") is None
    assert status["actions"][0]["action"] == "create"
    assert status["actions"][0]["result"] == "Error"
    fault: dict[str, object] = status["fault"]
    assert fault["code"] == 500
    assert fault["created"]
    return fault


def test_no_valid_host_reports_nova_message_and_filter_counts(compute: Compute) -> None:
    huge = compute.flavor(vcpus=1000, ram=128)
    compute.create_server("huge", flavor=huge, image=compute.image())
    fault = fault_of(compute, "huge")
    assert fault["message"] == "No valid host was found."
    assert "CoreFilter: (start:" in str(fault["details"])
    assert str(fault["details"]).startswith("Filter results: ")
    compute.wait_events("huge", "NoValidHost")
    assert compute.vm("huge") is None


@pytest.mark.parametrize("missing", ["flavor", "image", "keypair"])
def test_missing_references_end_in_error(compute: Compute, missing: str) -> None:
    flavor = "no-such-flavor" if missing == "flavor" else compute.flavor()
    image = "no-such-image" if missing == "image" else compute.image()
    extra = {"keyName": "no-such-key", "userId": "alice"} if missing == "keypair" else {}
    compute.create_server("lost", flavor=flavor, image=image, **extra)
    expected = {
        "flavor": "Flavor no-such-flavor could not be found.",
        "image": "Image no-such-image could not be found.",
        "keypair": "Keypair no-such-key not found for user alice",
    }[missing]
    assert fault_of(compute, "lost")["message"] == expected


def test_a_flavor_created_just_after_the_server_is_still_used(compute: Compute) -> None:
    """`kubectl apply -f dir/` may create a Server a moment before its Flavor."""
    name = unique("flv")
    compute.create_server("early", flavor=name, image=compute.image())
    compute.create_cluster_object("flavors", "Flavor", name, {"vcpus": 1, "ram": 128, "disk": 1})
    compute.wait_status("early", "ACTIVE", timeout=30)


def test_image_bigger_than_the_flavor_is_refused(compute: Compute) -> None:
    compute.create_server("small", flavor=compute.flavor(ram=128), image=compute.image(minRam=4096))
    assert fault_of(compute, "small")["message"] == "Flavor's memory is too small for requested image."


def test_failing_vmi_is_an_error_with_the_reason(managed_node: ManagedNodeFactory, compute: Compute) -> None:
    node = managed_node(unique("failing"), cpu="4", annotations={FAIL_VMIS_ANNOTATION: "true"})
    zone = unique("az-fail")
    compute.aggregate(zone=zone, hosts=[node])
    compute.create_server("doomed", flavor=compute.flavor(), image=compute.image(), availabilityZone=zone)

    server = compute.wait_status("doomed", "ERROR", timeout=40)
    status = server["status"]
    assert status["host"] == node
    assert status["fault"]["message"]
    assert status["actions"][0]["result"] == "Error"
    compute.wait_events("doomed", "Failed")


def test_error_servers_delete_at_once(compute: Compute) -> None:
    compute.create_server("broken", flavor="no-such-flavor", image="no-such-image")
    compute.wait_status("broken", "ERROR", timeout=30)
    compute.delete_server("broken")
    compute.wait_gone("broken", timeout=15)


def test_deleting_releases_capacity(managed_node: ManagedNodeFactory, compute: Compute) -> None:
    node = managed_node(unique("one-slot"), cpu="1", memory="4Gi")
    zone = unique("az-one")
    compute.aggregate(zone=zone, hosts=[node], metadata={"cpu_allocation_ratio": "1.0"})
    flavor, image = compute.flavor(vcpus=1), compute.image()

    compute.create_server("first", flavor=flavor, image=image, availabilityZone=zone)
    assert compute.wait_status("first", "ACTIVE")["status"]["host"] == node
    compute.create_server("second", flavor=flavor, image=image, availabilityZone=zone)
    assert fault_of(compute, "second")["message"] == "No valid host was found."

    compute.delete_server("first")
    compute.wait_gone("first", timeout=30)
    compute.create_server("third", flavor=flavor, image=image, availabilityZone=zone)
    assert compute.wait_status("third", "ACTIVE", timeout=30)["status"]["host"] == node
