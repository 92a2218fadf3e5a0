"""Cached Servers share their models' sets of field names (``resources.fields_sets``): what is read
of them is unchanged, their memory halves, and assigning to a shared model fails loudly without
changing the set the other models share."""

from __future__ import annotations

import copy
import tracemalloc
from typing import Any

import pytest

from kubenova.resources import fields_sets
from kubenova.resources.server import Server

STATUS = {
    "status": "ACTIVE",
    "vmState": "active",
    "powerState": "Running",
    "host": "node-1",
    "addresses": {"private": [{"version": 4, "addr": "10.0.0.9", "type": "fixed"}]},
    "flavor": {"id": "2", "name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20},
    "actions": [{"action": "create", "requestId": "req-1", "startTime": "2026-12-03T10:07:07Z"}],
}


def body(index: int, **status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "compute.kubenova.io/v1alpha1",
        "kind": "Server",
        "metadata": {
            "name": f"web-{index}",
            "namespace": "demo",
            "uid": f"u-{index}",
            "resourceVersion": "7",
        },
        "spec": {"flavor": "m1.small", "image": "cirros", "metadata": {"owner": "me"}, "tags": ["a"]},
        "status": STATUS | status,
    }


def _models(server: Server) -> list[Any]:
    status = server.status
    found = [server, server.metadata, server.spec, status, status.flavor, *status.actions]
    return found + [address for addresses in status.addresses.values() for address in addresses]


def test_reads_are_unchanged() -> None:
    shared, plain = fields_sets.share(Server.model_validate(body(1))), Server.model_validate(body(1))
    assert shared == plain
    assert shared.model_dump(exclude_unset=True) == plain.model_dump(exclude_unset=True)
    assert shared.model_dump_json(by_alias=True, exclude_unset=True) == plain.model_dump_json(
        by_alias=True, exclude_unset=True
    )
    assert shared.status.model_fields_set == plain.status.model_fields_set
    assert shared.status.model_fields_set - {"host"} == plain.status.model_fields_set - {"host"}


def test_every_model_of_a_tree_shares_with_the_same_shape() -> None:
    one, two = (fields_sets.share(Server.model_validate(body(i))) for i in (1, 2))
    for mine, theirs in zip(_models(one), _models(two), strict=True):
        assert type(mine.model_fields_set) is fields_sets.SharedFieldNames
        assert mine.model_fields_set is theirs.model_fields_set
    other_shape = fields_sets.share(Server.model_validate(body(3, taskState="rebooting")))
    assert other_shape.status.model_fields_set is not one.status.model_fields_set
    assert "task_state" in other_shape.status.model_fields_set
    assert other_shape.metadata.model_fields_set is one.metadata.model_fields_set


def test_copies_are_private_and_assigning_to_a_shared_model_fails() -> None:
    one, two = (fields_sets.share(Server.model_validate(body(i))) for i in (1, 2))
    changed = one.model_copy(update={"status": one.status.model_copy(update={"host": "node-2"})})
    assert changed.status.host == "node-2"
    assert one.status.host == "node-1"
    for copied in (one.model_copy(), one.model_copy(deep=True), copy.copy(one), copy.deepcopy(one)):
        assert type(copied.model_fields_set) is set
        copied.status = changed.status  # the copy's own set takes it
        assert copied.status.host == "node-2"
        assert one.status.host == "node-1"
    deep = one.model_copy(deep=True)
    deep.status.host = "node-3"
    assert "host" in deep.status.model_fields_set
    assert one.status.host == "node-1"
    with pytest.raises(TypeError, match="shared"):
        one.status.task_state = None  # pydantic stores the value, then fails adding the name
    assert "task_state" not in two.status.model_fields_set  # not spread to the models sharing it
    assert len(two.status.model_fields_set) == len(STATUS)


def test_sharing_halves_a_parsed_server() -> None:
    bodies = [body(i) for i in range(200)]
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        plain = [Server.model_validate(b) for b in bodies]
        middle = tracemalloc.get_traced_memory()[0]
        shared = [fields_sets.share(Server.model_validate(b)) for b in bodies]
        end = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(plain) == len(shared)
    assert end - middle < 0.6 * (middle - start)


def test_the_pool_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    fields_sets.share(Server.model_validate(body(2)))  # the usual shapes are pooled
    monkeypatch.setattr(fields_sets, "LIMIT", fields_sets.pooled())
    odd = fields_sets.share(Server.model_validate(body(1, progress=5, launchedAt="2026-12-03T10:07:07Z")))
    assert type(odd.status.model_fields_set) is set  # kept its own: no room in the pool
    assert type(odd.metadata.model_fields_set) is fields_sets.SharedFieldNames  # a shape pooled before
