"""Pure: Nova aggregate ids. The operator is their one allocator; it writes ``status.id``.

``status.id`` is ``spec.id`` when a user gave one that no other Aggregate holds, else the next
free integer (highest + 1, as Nova's autoincrement). An id once given is kept: Aggregates that
hold one keep it, before anything is allocated, so ids are unique and stable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kubenova.resources.aggregate import Aggregate

_Choice = Callable[[Aggregate], int | None]

_PREFERENCES: tuple[_Choice, ...] = (
    lambda a: a.spec.id if a.spec.id is not None and a.status.id == a.spec.id else None,
    lambda a: a.status.id if a.spec.id is None else None,
    lambda a: a.spec.id,
    lambda a: a.status.id,
)
"""In order: an id in effect as asked, an allocated id, an id asked for, an id held before."""


def assign(aggregates: Iterable[Aggregate]) -> dict[str, int]:
    """``status.id`` for every Aggregate, by object name (oldest first wins a contested id)."""
    ordered = sorted(aggregates, key=lambda a: (a.metadata.creation_timestamp or "", a.metadata.name))
    ids: dict[str, int] = {}
    for choose in _PREFERENCES:
        for aggregate in ordered:
            wanted = choose(aggregate)
            if aggregate.metadata.name not in ids and wanted is not None and wanted not in ids.values():
                ids[aggregate.metadata.name] = wanted
    for aggregate in ordered:
        if aggregate.metadata.name not in ids:
            ids[aggregate.metadata.name] = next_id(ids.values())
    return ids


def next_id(used: Iterable[int]) -> int:
    """One more than the highest aggregate id in use (Nova's ids are autoincrement integers)."""
    return max(used, default=0) + 1
