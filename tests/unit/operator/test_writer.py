"""The status write loop: conditional on resourceVersion, retried on conflict, announced once."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova import k8s, status
from kubenova.handlers.cluster_view import ClusterView
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import writer
from kubenova.handlers.servers.ledger import PlacementLedger
from kubenova.k8s import patch as patching
from kubenova.resources.server import Server
from kubenova.resources.states import TaskState, VmState
from kubenova.settings import Settings
from tests.unit.operator import factories as f


class Store:
    """Holds one Server body; the first ``conflicts`` patches fail like a stale write would."""

    def __init__(self, conflicts: int = 0) -> None:
        self.body: dict[str, Any] = f.server(status={"vmState": "active", "status": "ACTIVE"}).model_dump(
            by_alias=True, exclude_none=True, mode="json"
        )
        self.conflicts = conflicts
        self.patches: list[dict[str, Any]] = []

    async def get(self, kind: k8s.Kind, name: str, namespace: str | None = None) -> dict[str, Any]:
        return self.body

    async def merge_patch(
        self, kind: k8s.Kind, name: str, patch: dict[str, Any], namespace: str | None = None, **_: Any
    ) -> dict[str, Any]:
        self.patches.append(patch)
        if self.conflicts:
            self.conflicts -= 1
            self.body["metadata"]["resourceVersion"] = str(int(self.body["metadata"]["resourceVersion"]) + 1)
            raise k8s.Conflict(409, "Conflict", "the object has been modified")
        assert patch["metadata"]["resourceVersion"] == self.body["metadata"]["resourceVersion"]
        self.body["status"].update(patch["status"])
        return self.body

    async def modify(
        self, kind: k8s.Kind, name: str, build: Any, namespace: str | None = None, **options: Any
    ) -> dict[str, Any]:
        return await patching.modify(self, kind, name, build, namespace, **options)


class Poster:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def post(self, obj: Any, *, reason: str, message: str, warning: bool = False) -> None:
        self.reasons.append(reason)


@pytest.fixture
def poster() -> Poster:
    return Poster()


@pytest.fixture
def posted(poster: Poster) -> list[str]:
    return poster.reasons


def runtime_with(store: Store, poster: Poster) -> Runtime:
    settings = Settings()
    ledger = PlacementLedger(settings.scheduler_config())
    return Runtime(settings=settings, client=store, view=ClusterView(), ledger=ledger, events=poster)  # type: ignore[arg-type]


def stored(store: Store) -> Server:
    return Server.model_validate(store.body)


def stop(_: Any) -> status.Transition:
    return status.Transition(VmState.ACTIVE, TaskState.POWERING_OFF, "PoweringOff", "Stopping server")


async def test_write_is_conditional_and_retried_on_conflict(poster: Poster, posted: list[str]) -> None:
    store = Store(conflicts=2)
    updated = await writer.apply(runtime_with(store, poster), stored(store), stop)
    assert updated is not None
    assert updated.status.task_state == "powering-off"
    assert [p["metadata"]["resourceVersion"] for p in store.patches] == ["7", "8", "9"]
    assert posted == ["PoweringOff"]


async def test_nothing_to_change_writes_and_posts_nothing(poster: Poster, posted: list[str]) -> None:
    store = Store()
    assert await writer.apply(runtime_with(store, poster), stored(store), lambda _: None) is not None
    idle = status.Transition(VmState.ACTIVE, None, "Running", "m")
    assert await writer.apply(runtime_with(store, poster), stored(store), lambda _: idle) is not None
    assert store.patches == []
    assert posted == []


async def test_endless_conflicts_give_up_with_a_conflict(poster: Poster, posted: list[str]) -> None:
    store = Store(conflicts=100)
    with pytest.raises(k8s.Conflict):
        await writer.apply(runtime_with(store, poster), stored(store), stop)
    assert posted == []
