"""``kubenova.k8s`` against the real API server: its answers as typed errors, watch streams, the
informer (list+watch, ordering, read-your-writes) and conditional patches that meet real conflicts.
ConfigMaps in a throw-away namespace stand in for every kind (the machinery is kind-agnostic)."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kubenova import k8s
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

CM = k8s.CONFIG_MAPS


@pytest.fixture
def transport(cluster: Cluster) -> Iterator[k8s.Transport]:
    transport = k8s.Transport.from_environment(str(cluster.kubeconfig), user_agent="kubenova-tests")
    yield transport
    transport.close()


def config_map(name: str, namespace: str, **data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": data,
    }


def rv(obj: dict[str, Any]) -> int:
    return int(k8s.resource_version(obj))


def test_answers_become_typed_errors(transport: k8s.Transport, namespace: str) -> None:
    with pytest.raises(k8s.NotFound) as missing:
        transport.get(CM, "nope", namespace)
    assert missing.value.reason == "NotFound"
    assert '"nope" not found' in missing.value.message

    created = transport.create(CM, config_map("a", namespace, k="1"), namespace)
    with pytest.raises(k8s.AlreadyExists):
        transport.create(CM, config_map("a", namespace), namespace)

    stale = {"metadata": {"resourceVersion": str(rv(created) - 1)}, "data": {"k": "2"}}
    transport.merge_patch(CM, "a", {"data": {"k": "1b"}}, namespace)  # someone else writes first
    with pytest.raises(k8s.Conflict) as conflict:
        transport.merge_patch(
            CM, "a", {**stale, "metadata": {"resourceVersion": k8s.resource_version(created)}}, namespace
        )
    assert type(conflict.value) is k8s.Conflict
    assert conflict.value.status == 409

    with pytest.raises(k8s.Invalid) as invalid:
        transport.create(CM, config_map("Not_A_DNS_Name", namespace), namespace)
    assert invalid.value.status == 422
    assert "Not_A_DNS_Name" in invalid.value.message

    with pytest.raises(k8s.Conflict):  # the uid precondition no longer holds
        transport.delete(CM, "a", namespace, uid="00000000-0000-0000-0000-000000000000")
    with pytest.raises(k8s.Conflict):
        transport.delete(CM, "a", namespace, resource_version=k8s.resource_version(created))
    gone = transport.delete(CM, "a", namespace, uid=created["metadata"]["uid"])
    assert gone["kind"] in ("Status", "ConfigMap")


def test_lists_restore_kind_and_api_version_and_honour_selectors(
    transport: k8s.Transport, namespace: str
) -> None:
    for name, team in (("a", "x"), ("b", "y")):
        body = config_map(name, namespace)
        body["metadata"]["labels"] = {"team": team}
        transport.create(CM, body, namespace)
    listing = transport.collection(CM, namespace, label_selector="team=x")
    assert [i["metadata"]["name"] for i in listing["items"]] == ["a"]
    assert listing["items"][0]["kind"] == "ConfigMap"
    assert listing["items"][0]["apiVersion"] == "v1"
    assert k8s.resource_version(listing)
    by_field = transport.list(CM, namespace, field_selector="metadata.name=b")
    assert [i["metadata"]["name"] for i in by_field] == ["b"]


def test_watch_delivers_events_after_a_version(transport: k8s.Transport, namespace: str) -> None:
    start = k8s.resource_version(transport.collection(CM, namespace))
    stream = transport.watch(CM, namespace, resource_version=start, timeout_seconds=30)
    seen: list[tuple[str, str]] = []

    def read() -> None:
        for event in stream:
            seen.append((event["type"], event["object"]["metadata"].get("name", "")))
            if event["type"] == "DELETED":
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    transport.create(CM, config_map("w", namespace), namespace)
    transport.merge_patch(CM, "w", {"data": {"k": "v"}}, namespace)
    transport.delete(CM, "w", namespace)
    reader.join(timeout=30)
    stream.close()
    assert [e for e in seen if e[0] != "BOOKMARK"] == [("ADDED", "w"), ("MODIFIED", "w"), ("DELETED", "w")]


def test_the_informer_follows_the_cluster_and_this_process_writes(
    transport: k8s.Transport, namespace: str
) -> None:
    changes: list[tuple[str | None, str | None]] = []

    def handler(old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        changes.append(((old or {}).get("data", {}).get("k"), (new or {}).get("data", {}).get("k")))

    transport.create(CM, config_map("before", namespace, k="0"), namespace)
    informer = k8s.Informer(transport, CM, k8s.as_is, handler=handler, namespace=namespace)
    informer.start()
    try:
        assert informer.wait_synced(30)
        assert informer.get("before", namespace) is not None

        created = transport.create(CM, config_map("mine", namespace, k="1"), namespace)
        assert informer.record_write(created) is not None  # read-your-writes, before any event
        assert informer.get("mine", namespace) is not None

        updated = transport.merge_patch(CM, "mine", {"data": {"k": "2"}}, namespace)
        informer.record_write(updated)
        informer.record_write(created)  # a late answer to the older write: ignored
        assert informer.get("mine", namespace)["data"]["k"] == "2"

        transport.merge_patch(CM, "mine", {"data": {"k": "3"}}, namespace)  # not recorded: the watch tells
        wait_for(lambda: informer.get("mine", namespace)["data"]["k"] == "3", timeout=15, message="watched")

        transport.delete(CM, "mine", namespace)
        wait_for(lambda: informer.get("mine", namespace) is None, timeout=15, message="deletion watched")
        informer.record_write(updated)  # cannot bring it back
        assert informer.get("mine", namespace) is None
        wait_for(lambda: ("3", None) in changes, timeout=5, message="the handler hears of the deletion")
        # Every event reached the handler, and it never saw a version older than one it had seen.
        mine = [change for change in changes if change != (None, "0")]
        assert len(mine) >= 4
        assert mine[-1] == ("3", None)
        seen = [new for _, new in mine if new is not None]
        assert seen == sorted(seen)
    finally:
        informer.stop()
    assert informer._thread is not None
    informer._thread.join(timeout=10)
    assert not informer._thread.is_alive(), "stop() did not end the watch"


async def test_modify_rebuilds_the_patch_after_a_real_conflict(cluster: Cluster, namespace: str) -> None:
    client = k8s.Client.from_environment(str(cluster.kubeconfig), user_agent="kubenova-tests")
    try:
        cached = await client.create(CM, config_map("hosts", namespace, hosts="a"), namespace)
        calls: list[str] = []

        def add_b(current: dict[str, Any]) -> dict[str, Any]:
            calls.append(current["data"]["hosts"])
            if len(calls) == 1:  # another writer gets in between our read and our patch
                client.transport.merge_patch(
                    CM, "hosts", {"data": {"hosts": current["data"]["hosts"] + ",c"}}, namespace
                )
            return {"data": {"hosts": current["data"]["hosts"] + ",b"}}

        result = await client.modify(CM, "hosts", add_b, namespace, current=copy.deepcopy(cached))
        assert calls == ["a", "a,c"]
        assert result["data"]["hosts"] == "a,c,b"

        await client.delete(CM, "hosts", namespace)
        with pytest.raises(k8s.NotFound):
            await client.modify(CM, "hosts", add_b, namespace)
    finally:
        client.close()
