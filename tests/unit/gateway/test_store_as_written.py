"""A write's answer as written: the watch may bring a newer version (the operator's) while the
gateway awaits its patch; an API answer showing the request's effect (rebuild's) renders the
object as the gateway's write left it, not that newer one (``CustomResourceStore.modify``)."""

from __future__ import annotations

import copy
from typing import Any

from kubenova.resources import Server
from tests.bench import server_list as bench


class _RacedKube:
    """``modify`` answers the patched object after the watch delivered a newer version of it."""

    def __init__(self, store: Any, newer: dict[str, Any], written: dict[str, Any]) -> None:
        self._store, self._newer, self._written = store, newer, written

    async def modify(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        assert self._store.servers.informer._cache.apply("MODIFIED", self._newer) is not None
        return self._written


def _raced(image_written: str, image_newer: str) -> tuple[Any, Server]:
    store = bench.filled_store(1)
    server = store.servers.informer.objects()[0]
    raw = server.model_dump(by_alias=True, exclude_none=True, mode="json")
    rv = int(raw["metadata"]["resourceVersion"])
    written = copy.deepcopy(raw)
    written["metadata"]["resourceVersion"] = str(rv + 1)
    written["spec"]["image"] = image_written
    newer = copy.deepcopy(written)
    newer["metadata"]["resourceVersion"] = str(rv + 2)
    newer["spec"]["image"] = image_newer
    store.servers._kube = _RacedKube(store, newer, written)
    return store, server


async def test_as_written_answers_the_object_the_write_made() -> None:
    store, server = _raced("new-image", "rolled-back")
    answered = await store.servers.modify(server, lambda s: {"spec": {"image": "new-image"}}, as_written=True)
    assert answered.spec.image == "new-image"
    cached = store.servers.informer.get(server.metadata.name, server.metadata.namespace)
    assert cached is not None
    assert cached.spec.image == "rolled-back"  # the cache keeps the newest


async def test_by_default_the_freshest_copy_wins() -> None:
    store, server = _raced("new-image", "rolled-back")
    answered = await store.servers.modify(server, lambda s: {"spec": {"image": "new-image"}})
    assert answered.spec.image == "rolled-back"
