"""What a Server asks for: request ids (the gateway's inbox, else new), the scheduler's RequestSpec
and the image fit check."""

from __future__ import annotations

import pytest

from kubenova.domain import flavors, names, placement_request
from kubenova.handlers.servers import scheduling
from kubenova.status import action_records
from tests.unit.operator import factories as f

INBOX = '[{"action":"create","requestId":"req-from-gateway","userId":"u","startTime":"t"}]'


def test_request_id_comes_from_the_inbox_once() -> None:
    annotated = f.server(annotations={names.REQUESTS_ANNOTATION: INBOX})
    assert action_records.start_of(annotated, "create").request_id == "req-from-gateway"
    used = f.server(
        annotations={names.REQUESTS_ANNOTATION: INBOX},
        status={"actions": [{"action": "create", "requestId": "req-from-gateway", "startTime": "t"}]},
    )
    generated = action_records.start_of(used, "create").request_id
    assert generated.startswith("req-")
    assert generated != "req-from-gateway"


def test_request_id_is_generated_without_inbox_entry() -> None:
    first = action_records.start_of(f.server(), "create").request_id
    second = action_records.start_of(f.server(), "create").request_id
    assert first.startswith("req-")
    assert len(first) == len("req-") + 36
    assert first != second


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, (None, None)),
        ("", (None, None)),
        ("az1", ("az1", None)),
        ("az1:node-a", ("az1", "node-a")),
        (":node-a", (None, "node-a")),
        ("az1:node-a:node-a", ("az1", "node-a")),
        ("az1:", ("az1", None)),
    ],
)
def test_zone_parsing(value: str | None, expected: tuple[str | None, str | None]) -> None:
    parsed = placement_request.parse(value)
    assert (parsed.zone, parsed.host) == expected


def test_request_spec_carries_sizes_zone_hints_and_properties() -> None:
    server = f.server(
        spec={
            "availabilityZone": "az1:node-a",
            "schedulerHints": {"sameHost": ["u1"], "differentHost": ["u2", "u3"]},
        }
    )
    flavor = f.embedded(vcpus=2, ram=1024, disk=0, ephemeral=5, swap=1500, extraSpecs={"hw:cpu_policy": "x"})
    image = f.image(minDisk=3, properties={"os_distro": "cirros"})
    spec = scheduling.request_spec(server, flavor, image)
    assert (spec.instance_uid, spec.project_id) == (f.SERVER_UID, "demo")
    assert (spec.vcpus, spec.memory_mb, spec.ephemeral_gb, spec.swap_mb) == (2, 1024, 5, 1500)
    assert spec.root_gb == 3  # disk 0 flavors boot at the image's size
    assert spec.disk_gb == 3 + 5 + 2
    assert (spec.availability_zone, spec.forced_host) == ("az1", "node-a")
    assert spec.same_host == frozenset({"u1"})
    assert spec.different_host == frozenset({"u2", "u3"})
    assert spec.flavor_extra_specs == {"hw:cpu_policy": "x"}
    assert spec.image_properties == {"os_distro": "cirros"}


def test_embedded_flavor_copies_the_flavor_at_build_time() -> None:
    embedded = flavors.embed(f.flavor("m1.small", id="2", name="small", vcpus=2, ram=2048))
    assert (embedded.id, embedded.name, embedded.vcpus, embedded.ram) == ("2", "small", 2, 2048)
    assert flavors.embed(f.flavor("m1.x", id=None)).id == "m1.x"


def test_image_fit() -> None:
    assert flavors.image_fit_error(f.embedded(ram=512), f.image(minRam=1024)) == (
        "Flavor's memory is too small for requested image."
    )
    assert flavors.image_fit_error(f.embedded(disk=1), f.image(minDisk=5)) == (
        "Flavor's disk is too small for requested image."
    )
    assert flavors.image_fit_error(f.embedded(disk=0), f.image(minDisk=5)) is None
    assert flavors.image_fit_error(f.embedded(), f.image()) is None
