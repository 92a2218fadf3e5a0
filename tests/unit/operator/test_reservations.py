"""All or nothing for a multi-create (``status.reservations``): a member waits for the rest of
its reservation, goes once all are seen, and is abandoned when the rest never comes."""

from __future__ import annotations

from kubenova.domain import names
from kubenova.resources.server import Server
from kubenova.status.reservations import Verdict, check, reservation_of, size_of
from tests.unit.operator import factories


def _member(index: int, size: int = 3, **status: object) -> Server:
    annotations = {names.RESERVATION_ID_ANNOTATION: "r-abc", names.RESERVATION_SIZE_ANNOTATION: str(size)}
    return factories.server(
        name=f"web-{index}", uid=f"uid-{index}", annotations=annotations, status=dict(status) or None
    )


def test_a_single_create_is_not_a_reservation() -> None:
    alone = factories.server()
    assert size_of(alone) == 1
    assert reservation_of(alone) is None
    assert check(alone, [alone], newest_age=0, grace=30).verdict is Verdict.GO


def test_a_member_waits_until_every_member_is_seen() -> None:
    first, second, third = _member(1), _member(2), _member(3)
    waiting = check(first, [first, second], newest_age=2, grace=30)
    assert waiting.verdict is Verdict.WAIT
    assert waiting.wait_seconds == 28
    assert check(first, [first, second, third], newest_age=0, grace=30).verdict is Verdict.GO


def test_an_incomplete_set_is_abandoned_after_the_grace_since_its_newest_member() -> None:
    first, second = _member(1), _member(2)
    assert check(first, [first, second], newest_age=30, grace=30).verdict is Verdict.ABANDON


def test_a_set_that_was_complete_once_goes_on_without_a_deleted_member() -> None:
    placed = _member(1, vmState="building", host="node-a")
    late = _member(2)
    assert check(late, [placed, late], newest_age=100, grace=30).verdict is Verdict.GO


def test_an_unreadable_size_counts_as_a_single_create() -> None:
    odd = factories.server(annotations={names.RESERVATION_SIZE_ANNOTATION: "many"})
    assert size_of(odd) == 1
