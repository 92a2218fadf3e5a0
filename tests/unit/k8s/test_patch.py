"""Conditional merge patch with retry on conflict (``k8s.Client.modify``), against a fake store."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import pytest

from kubenova import k8s
from kubenova.k8s import patch

KIND = k8s.AGGREGATES


class Store:
    """One object; ``writers`` other writers get in first, each bumping the version once."""

    def __init__(self, writers: int = 0) -> None:
        self.obj: dict[str, Any] = {
            "metadata": {"name": "agg", "uid": "u1", "resourceVersion": "1"},
            "spec": {"hosts": ["a"]},
        }
        self.writers = writers
        self.gets = 0
        self.patches: list[Mapping[str, Any]] = []

    def _bump(self) -> None:
        meta = self.obj["metadata"]
        meta["resourceVersion"] = str(int(meta["resourceVersion"]) + 1)

    async def get(self, kind: k8s.Kind, name: str, namespace: str | None = None) -> dict[str, Any]:
        self.gets += 1
        return copy.deepcopy(self.obj)

    async def merge_patch(
        self,
        kind: k8s.Kind,
        name: str,
        body: Mapping[str, Any],
        namespace: str | None = None,
        *,
        subresource: str | None = None,
    ) -> dict[str, Any]:
        self.patches.append(body)
        if self.writers:  # someone else wrote first: a host appears
            self.writers -= 1
            self.obj["spec"]["hosts"].append(f"other-{self.writers}")
            self._bump()
        if body["metadata"]["resourceVersion"] != self.obj["metadata"]["resourceVersion"]:
            raise k8s.Conflict(409, "Conflict", "the object has been modified")
        self.obj["spec"].update(body.get("spec") or {})
        self._bump()
        return copy.deepcopy(self.obj)


def add_host(obj: dict[str, Any]) -> dict[str, Any]:
    return {"spec": {"hosts": [*obj["spec"]["hosts"], "b"]}}


async def test_the_patch_is_rebuilt_from_what_is_stored_after_a_conflict() -> None:
    store = Store(writers=2)
    result = await patch.modify(store, KIND, "agg", add_host)
    assert result["spec"]["hosts"] == ["a", "other-1", "other-0", "b"]  # no lost update
    assert len(store.patches) == 3
    assert [p["metadata"]["resourceVersion"] for p in store.patches] == ["1", "2", "3"]
    assert store.gets == 3  # the first read, then one per conflict


async def test_a_cached_copy_saves_the_first_read_and_the_callers_patch_is_untouched() -> None:
    store = Store()
    built: list[dict[str, Any]] = []

    def build(obj: dict[str, Any]) -> dict[str, Any]:
        built.append({"spec": {"hosts": ["a", "b"]}})
        return built[-1]

    await patch.modify(store, KIND, "agg", build, current=copy.deepcopy(store.obj))
    assert store.gets == 0
    assert "metadata" not in built[0]


async def test_nothing_to_change_sends_nothing() -> None:
    store = Store()
    result = await patch.modify(store, KIND, "agg", lambda obj: None)
    assert store.patches == []
    assert result["spec"]["hosts"] == ["a"]


async def test_it_gives_up_with_a_conflict_after_the_bounded_attempts() -> None:
    store = Store(writers=100)
    with pytest.raises(k8s.Conflict, match="kept changing"):
        await patch.modify(store, KIND, "agg", add_host, attempts=3)
    assert len(store.patches) == 3


async def test_an_object_replaced_under_the_same_name_is_not_found() -> None:
    store = Store(writers=1)
    original = copy.deepcopy(store.obj)
    store.obj["metadata"]["uid"] = "u2"  # deleted and created again since the cache saw it
    with pytest.raises(k8s.NotFound, match="deleted and created again"):
        await patch.modify(store, KIND, "agg", add_host, current=original)


async def test_build_may_refuse() -> None:
    def refuse(obj: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("host already there")

    with pytest.raises(ValueError, match="already there"):
        await patch.modify(Store(), KIND, "agg", refuse)
