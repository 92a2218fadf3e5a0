"""The gateway's watch caches keep every Server with its models' field-name sets shared
(``resources.fields_sets``), as the watch brings it and as the gateway's own write answers it, and
a service assigning to a cached Server fails loudly (``TypeError``) and leaves the other Servers'
shared set as it was."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova.resources import Server, fields_sets
from tests.bench import server_list as bench


class _Answering:
    """``merge_patch`` answers ``written``: the API server's answer to the gateway's write."""

    def __init__(self, written: dict[str, Any]) -> None:
        self._written = written

    async def merge_patch(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._written


def _shared(server: Server) -> bool:
    models = [server, server.metadata, server.spec, server.status]
    return all(type(m.model_fields_set) is fields_sets.SharedFieldNames for m in models)


def test_watched_servers_are_cached_with_shared_sets() -> None:
    cached = bench.filled_store(2).servers.informer.objects()
    assert len(cached) == 4
    assert all(_shared(server) for server in cached)
    assert cached[0].metadata.model_fields_set is cached[1].metadata.model_fields_set
    one, other = next(
        (a, b)
        for a in cached
        for b in cached
        if a is not b and a.status.model_fields_set is b.status.model_fields_set
    )
    unset = next(name for name in type(one.status).model_fields if name not in one.status.model_fields_set)
    with pytest.raises(TypeError, match="shared"):
        setattr(one.status, unset, None)
    assert unset not in other.status.model_fields_set


async def test_a_write_answer_is_cached_with_shared_sets() -> None:
    store = bench.filled_store(1)
    server = store.servers.informer.objects()[0]
    written = server.model_dump(by_alias=True, exclude_none=True, mode="json")
    written["metadata"]["resourceVersion"] = str(int(written["metadata"]["resourceVersion"]) + 1)
    written["spec"]["name"] = "renamed"
    store.servers._kube = _Answering(written)
    answered = await store.servers.patch(server, {"spec": {"name": "renamed"}}, what="Server")
    cached = store.servers.informer.get(server.metadata.name, server.metadata.namespace)
    assert cached is answered
    assert answered.spec.name == "renamed"
    assert _shared(answered)
