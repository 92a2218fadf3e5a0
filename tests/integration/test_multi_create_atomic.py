"""A multi-create is all or nothing, also when the writer dies half-way: the operator builds no
Server of a reservation before it has seen all of them, and deletes the ones a dead gateway left
(what a gateway killed during ``min_count=N`` creates leaves is exactly some of the N Servers,
each with the reservation id and size, which is what these tests write)."""

from __future__ import annotations

import pytest

from kubenova.domain import names
from tests.fixtures.operator import TEST_SETTINGS, OperatorHandle
from tests.integration.compute import Compute
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

GRACE = float(TEST_SETTINGS["KUBENOVA_RESERVATION_GRACE_SECONDS"])


def _create(
    compute: Compute, reservation: str, size: int, indexes: range, *, flavor: str = "", image: str = ""
) -> list[str]:
    """Members created with their reservation annotations in the same write, as the gateway does."""
    flavor, image = flavor or compute.flavor(), image or compute.image()
    created = []
    for index in indexes:
        name = f"{reservation}-{index}"
        body = {
            "apiVersion": "compute.kubenova.io/v1alpha1",
            "kind": "Server",
            "metadata": {
                "name": name,
                "annotations": {
                    names.RESERVATION_ID_ANNOTATION: reservation,
                    names.RESERVATION_SIZE_ANNOTATION: str(size),
                    names.LAUNCH_INDEX_ANNOTATION: str(index),
                },
            },
            "spec": {"flavor": flavor, "image": image},
        }
        compute.custom.create_namespaced_custom_object(
            "compute.kubenova.io", "v1alpha1", compute.namespace, "servers", body
        )
        created.append(name)
    return created


def test_a_reservation_missing_members_is_never_built_and_goes(compute: Compute) -> None:
    left = _create(compute, "r-half", 4, range(2))  # the gateway died after 2 of 4
    for name in left:
        compute.wait_gone(name, timeout=GRACE + 30)
    for name in left:
        reasons = compute.events_for(name)
        assert "ReservationIncomplete" in reasons
        assert "Scheduled" not in reasons, f"{name} was built although its request was incomplete"
        assert compute.vm(name) is None


def test_members_wait_for_the_last_one_then_all_are_built(compute: Compute) -> None:
    flavor, image = compute.flavor(), compute.image()
    first = _create(compute, "r-late", 3, range(2), flavor=flavor, image=image)

    def taken_up() -> bool:
        return all(
            names.SERVER_FINALIZER in compute.server(n)["metadata"].get("finalizers", []) for n in first
        )

    # The operator has taken them up (finalizer) but builds neither while the third is missing.
    wait_for(taken_up, timeout=30, message="the operator took the first members up")
    assert all(compute.vm(n) is None for n in first)
    assert all((compute.server(n).get("status") or {}).get("host") is None for n in first)
    last = _create(compute, "r-late", 3, range(2, 3), flavor=flavor, image=image)  # within the grace
    for name in [*first, *last]:
        compute.wait_status(name, "ACTIVE", timeout=60)
        assert compute.vmi(name) is not None


def test_an_operator_restarted_meanwhile_still_removes_an_incomplete_reservation(
    compute: Compute, operator: OperatorHandle
) -> None:
    operator.kill()
    try:
        left = _create(compute, "r-down", 3, range(1))
    finally:
        operator.start()
    for name in left:
        compute.wait_gone(name, timeout=GRACE + 30)
        assert compute.vm(name) is None
