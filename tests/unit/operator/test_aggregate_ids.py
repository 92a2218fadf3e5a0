"""Aggregate ids: the operator allocates ``status.id``; ids asked for in ``spec.id`` are honoured
when free, ids once given are kept, and no two Aggregates share one."""

from __future__ import annotations

from kubenova.handlers import aggregate_ids
from kubenova.resources.aggregate import Aggregate


def aggregate(name: str, created: str, spec_id: int | None = None, status_id: int | None = None) -> Aggregate:
    return Aggregate.model_validate(
        {
            "metadata": {"name": name, "creationTimestamp": created},
            "spec": {"id": spec_id},
            "status": {"id": status_id},
        }
    )


def test_new_aggregates_get_the_next_ids_in_creation_order() -> None:
    ids = aggregate_ids.assign([aggregate("b", "2026-01-02"), aggregate("a", "2026-01-01")])
    assert ids == {"a": 1, "b": 2}


def test_an_id_asked_for_is_given_and_the_others_go_above_it() -> None:
    ids = aggregate_ids.assign([aggregate("a", "t1", spec_id=7), aggregate("b", "t2")])
    assert ids == {"a": 7, "b": 8}


def test_ids_once_given_are_kept() -> None:
    existing = [aggregate("a", "t1", status_id=3), aggregate("b", "t2", status_id=1)]
    assert aggregate_ids.assign(existing) == {"a": 3, "b": 1}


def test_an_id_asked_for_that_another_holds_is_not_taken_from_it() -> None:
    holder = aggregate("a", "t1", status_id=5)
    late = aggregate("b", "t2", spec_id=5)
    assert aggregate_ids.assign([holder, late]) == {"a": 5, "b": 6}
    twins = [aggregate("x", "t1", spec_id=2), aggregate("y", "t2", spec_id=2)]
    assert aggregate_ids.assign(twins) == {"x": 2, "y": 3}


def test_an_edited_spec_id_takes_effect_when_free() -> None:
    assert aggregate_ids.assign([aggregate("a", "t1", spec_id=9, status_id=2)]) == {"a": 9}
