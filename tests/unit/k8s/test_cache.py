"""The watch cache's ordering rules: read-your-writes, stale events ignored, no resurrection, relist.

(Formerly the gateway informer's unit tests in tests/api/test_store.py.)
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from kubenova.k8s import Cache


def _obj(name: str, rv: int, value: str = "", **meta: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, "resourceVersion": str(rv), **meta}, "value": value}


def _cache() -> Cache[str]:
    return Cache(lambda obj: str(obj["value"]), "things")


def test_writes_are_visible_at_once_and_lagging_events_do_not_undo_them() -> None:
    cache = _cache()
    assert cache.record_write(_obj("a", 5, "written")) == "written"
    assert cache.get(("", "a")) == "written"
    # the watch is behind our write: handlers hear of the event, but see the newer version
    assert cache.apply("MODIFIED", _obj("a", 4, "older event")) == ("written", "written")
    assert cache.get(("", "a")) == "written"
    assert cache.apply("MODIFIED", _obj("a", 6, "newer")) == ("written", "newer")
    assert cache.get(("", "a")) == "newer"


def test_deletes_are_not_resurrected_by_older_events() -> None:
    cache = _cache()
    cache.record_write(_obj("a", 5, "v5"))
    cache.record_delete(_obj("a", 7))
    assert cache.get(("", "a")) is None
    assert cache.apply("MODIFIED", _obj("a", 6, "lagging modify")) is None
    assert cache.get(("", "a")) is None
    cache.apply("ADDED", _obj("a", 9, "recreated"))
    assert cache.get(("", "a")) == "recreated"


def test_a_delete_without_a_version_still_buries_what_was_cached() -> None:
    cache = _cache()
    cache.record_write(_obj("a", 5, "v5"))
    cache.record_delete({"metadata": {"name": "a"}})  # a Status answer: no resourceVersion
    assert cache.record_write(_obj("a", 5, "v5 again")) is None
    assert cache.get(("", "a")) is None


def test_objects_with_finalizers_stay_until_gone() -> None:
    cache = _cache()
    cache.record_delete(
        _obj("a", 3, "terminating", deletionTimestamp="2026-01-01T00:00:00Z", finalizers=["x"])
    )
    assert cache.get(("", "a")) == "terminating"
    assert cache.apply("DELETED", _obj("a", 4)) == ("terminating", None)
    assert cache.get(("", "a")) is None


def test_an_object_deleted_without_finalizers_is_as_good_as_gone() -> None:
    cache = _cache()
    assert cache.record_write(_obj("gone", 3, "x", deletionTimestamp="2026-01-01T00:00:00Z")) is None
    assert cache.get(("", "gone")) is None


def test_a_deletion_our_own_write_caused_is_still_announced_by_its_event() -> None:
    """Removing the last finalizer makes the object vanish from the cache at once; handlers,
    which ``record_write`` does not call, still hear of the deletion from the watch event."""
    cache = _cache()
    cache.record_write(
        _obj("a", 3, "terminating", deletionTimestamp="2026-01-01T00:00:00Z", finalizers=["x"])
    )
    assert (
        cache.record_write(_obj("a", 4, "last finalizer removed", deletionTimestamp="2026-01-01T00:00:00Z"))
        is None
    )
    assert cache.apply("DELETED", _obj("a", 4, "final")) == ("final", None)
    assert cache.get(("", "a")) is None
    assert cache.apply("MODIFIED", _obj("a", 3, "lagging")) is None  # still not resurrected


def test_a_deletion_older_than_the_cached_object_is_ignored() -> None:
    cache = _cache()
    cache.record_write(_obj("a", 9, "recreated"))
    # the old object's deletion, arriving late
    assert cache.apply("DELETED", _obj("a", 8)) == ("recreated", "recreated")
    assert cache.get(("", "a")) == "recreated"


def test_relist_replaces_everything_and_reports_the_changes() -> None:
    cache = _cache()
    cache.replace([_obj("gone", 1, "x"), _obj("kept", 2, "y")], "2")
    changes = cache.replace([_obj("kept", 10, "y2"), _obj("new", 11, "z")], "11")
    assert sorted(cache.values()) == ["y2", "z"]
    assert changes == [("y", "y2"), (None, "z"), ("x", None)]
    assert cache.record_write(_obj("gone", 1, "x")) is None  # buried at the list's version


def test_relist_keeps_own_writes_newer_than_the_list() -> None:
    cache = _cache()
    cache.replace([], "5")
    cache.record_write(_obj("mine", 8, "created after the list"))
    cache.record_write(_obj("both", 9, "written after the list"))
    changes = cache.replace([_obj("both", 6, "as listed")], "7")
    assert sorted(cache.values()) == ["created after the list", "written after the list"]
    assert changes == []


def test_unparsable_objects_are_skipped() -> None:
    def parse(obj: dict[str, Any]) -> str:
        if obj["value"] == "bad":
            raise ValueError("bad object")
        return str(obj["value"])

    cache: Cache[str] = Cache(parse, "things")
    cache.replace([_obj("a", 1, "bad"), _obj("b", 2, "good")], "2")
    assert cache.values() == ["good"]
    assert cache.apply("MODIFIED", _obj("b", 3, "bad")) == ("good", "good")
    assert cache.values() == ["good"]
    assert cache.apply("MODIFIED", _obj("c", 3, "bad")) is None


def test_non_integer_versions_let_the_later_arrival_win() -> None:
    cache = _cache()
    cache.record_write({"metadata": {"name": "a", "resourceVersion": "x7"}, "value": "first"})
    cache.apply("MODIFIED", {"metadata": {"name": "a", "resourceVersion": "x3"}, "value": "second"})
    assert cache.get(("", "a")) == "second"


def _random_source(
    cache: Cache[str],
    rng: random.Random,
    obj: Callable[[int], dict[str, Any]],
    rv: int,
    *,
    steps: int,
    relist: int,
) -> None:
    """One change at version ``rv`` from a random source: a (possibly lagging) event, an own write
    or delete, now and then a relist of up to ``relist`` objects, else a current event."""
    step = rng.randrange(steps)
    if step == 0:
        cache.apply(rng.choice(["ADDED", "MODIFIED", "DELETED"]), obj(rv - rng.randrange(3)))
    elif step == 1:
        cache.record_write(obj(rv))
    elif step == 2:
        cache.record_delete(obj(rv))
    elif step == 3 and rng.random() < 0.2:
        cache.replace([obj(rv) for _ in range(rng.randrange(relist))], str(rv - rng.randrange(3)))
    else:
        cache.apply("MODIFIED", obj(rv))


def test_the_namespace_index_holds_what_the_cache_holds_in_its_order() -> None:
    """Every source (events, own writes and deletes, relists, vanishing objects) through a seeded
    random sequence: one namespace read is always the whole cache filtered, in the same order."""
    rng = random.Random(11)
    cache: Cache[str] = Cache(lambda obj: f"{obj['metadata'].get('namespace', '')}/{obj['value']}", "things")
    namespaces, names = ["", "p1", "p2", "p3"], ["a", "b", "c", "d", "e"]

    def obj(rv: int) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": rng.choice(names), "resourceVersion": str(rv)}
        namespace = rng.choice(namespaces)
        if namespace:
            meta["namespace"] = namespace
        if rng.random() < 0.1:
            meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
        return {"metadata": meta, "value": str(rv)}

    for rv in range(1, 600):
        _random_source(cache, rng, obj, rv, steps=6, relist=8)
        everything = cache.values()
        for namespace in namespaces:
            assert cache.values(namespace) == [v for v in everything if v.split("/")[0] == namespace]
        assert cache.values("absent") == []
        assert sum(len(cache.values(n)) for n in namespaces) == len(cache)


def test_the_secondary_index_holds_what_the_cache_holds_in_its_order() -> None:
    """An object's index key may change between versions (here: its value's parity) or be None
    (values ending in 0): through a seeded random sequence of every source, each bucket is always
    the whole cache filtered by the key."""
    rng = random.Random(7)

    def key(value: str) -> str | None:
        return None if value.endswith("0") else ("odd" if int(value) % 2 else "even")

    cache: Cache[str] = Cache(lambda obj: str(obj["value"]), "things", index=key)
    names = ["a", "b", "c", "d"]

    def obj(rv: int) -> dict[str, Any]:
        return {"metadata": {"name": rng.choice(names), "resourceVersion": str(rv)}, "value": str(rv)}

    for rv in range(1, 600):
        _random_source(cache, rng, obj, rv, steps=5, relist=6)
        everything = cache.values()
        for bucket in ("odd", "even"):
            assert sorted(cache.indexed(bucket)) == sorted(v for v in everything if key(v) == bucket)
        assert cache.indexed(None) == []
