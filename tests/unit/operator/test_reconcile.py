"""The level-triggered reconcile against an in-memory API server: the writes of a build and a
delete, and nothing written again when the same (or a stale) state is seen twice — the watch lags
behind the operator's own writes, and an event its own write caused must not repeat the work."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubenova import k8s
from kubenova.domain.names import SERVER_FINALIZER
from kubenova.handlers import cluster_view, indexes
from kubenova.handlers.cluster_view import ClusterView
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import observe, reconcile, resync
from kubenova.handlers.servers.ledger import PlacementLedger
from kubenova.handlers.view_keys import IndexedNode, ServerRef
from kubenova.k8s import patch as patching
from kubenova.kubevirt.client import parse_vm, parse_vmi
from kubenova.resources.server import Server
from kubenova.settings import Settings
from tests.unit.operator import factories as f

REF = ServerRef("demo", "web-1")


def merge(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """RFC 7386 merge patch."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target


class ApiServer:
    """Objects by (plural, name); every write is recorded as (verb, plural[/sub])."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}
        self.writes: list[str] = []
        self.version = 100

    def put(self, plural: str, body: dict[str, Any]) -> dict[str, Any]:
        self.version += 1
        body["metadata"]["resourceVersion"] = str(self.version)
        self.objects[(plural, body["metadata"]["name"])] = body
        return copy.deepcopy(body)

    async def get(self, kind: k8s.Kind, name: str, namespace: str | None = None) -> dict[str, Any]:
        try:
            return copy.deepcopy(self.objects[(kind.plural, name)])
        except KeyError:
            raise k8s.NotFound(404, "NotFound", name) from None

    async def create(self, kind: k8s.Kind, body: Any, namespace: str | None = None) -> dict[str, Any]:
        self.writes.append(f"POST {kind.plural}")
        body = copy.deepcopy(dict(body))
        body["metadata"].setdefault("uid", f"uid-{kind.plural}-{self.version}")
        return self.put(kind.plural, body)

    async def merge_patch(
        self,
        kind: k8s.Kind,
        name: str,
        patch: Any,
        namespace: str | None = None,
        *,
        subresource: str | None = None,
    ) -> dict[str, Any]:
        self.writes.append(f"PATCH {kind.plural}{'/' + subresource if subresource else ''}")
        current = self.objects[(kind.plural, name)]
        wanted = (patch.get("metadata") or {}).get("resourceVersion")
        if wanted is not None and wanted != current["metadata"]["resourceVersion"]:
            raise k8s.Conflict(409, "Conflict", "modified")
        body = merge(copy.deepcopy(current), {k: v for k, v in patch.items() if k != "metadata"})
        body["metadata"] = merge(body["metadata"], dict(patch.get("metadata") or {}))
        return self.put(kind.plural, body)

    async def modify(
        self, kind: k8s.Kind, name: str, build: Any, namespace: str | None = None, **options: Any
    ) -> dict[str, Any]:
        return await patching.modify(self, kind, name, build, namespace, **options)

    async def delete(self, kind: k8s.Kind, name: str, namespace: str | None = None, **_: Any) -> None:
        self.writes.append(f"DELETE {kind.plural}")
        self.objects[(kind.plural, name)]["metadata"]["deletionTimestamp"] = "2026-01-01T00:09:00Z"


class Poster:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def post(self, obj: Any, *, reason: str, message: str, warning: bool = False) -> None:
        self.reasons.append(reason)


class Cluster:
    """An API server, the watch-fed indexes as of the last ``sync``, and a runtime over both."""

    def __init__(self) -> None:
        self.api, self.events = ApiServer(), Poster()
        self.index: dict[str, dict[Any, list[Any]]] = {name: {} for name in cluster_view.INDEXES}
        settings = Settings(reference_grace_seconds=0)
        view = ClusterView()
        view.bind(self.index)
        self.rt = Runtime(
            settings=settings,
            client=self.api,  # type: ignore[arg-type]
            view=view,
            ledger=PlacementLedger(settings.scheduler_config()),
            events=self.events,  # type: ignore[arg-type]
        )
        node = {
            "metadata": {"name": "n1", "resourceVersion": "1"},
            "status": {
                "allocatable": {"cpu": "8", "memory": "16Gi", "ephemeral-storage": "100Gi"},
                "conditions": [{"type": "Ready", "status": "True"}],
            },
        }
        self.index[cluster_view.NODES]["n1"] = [IndexedNode(indexes.node_info(node), "1")]
        self.index[cluster_view.FLAVORS]["m1.tiny"] = [f.flavor()]
        self.index[cluster_view.IMAGES]["cirros"] = [f.image()]

    def sync(self) -> None:
        """The watch catches up with the API server (Servers, VMs)."""
        for (plural, _), body in self.api.objects.items():
            if plural == "servers":
                self.index[cluster_view.SERVERS][REF] = [Server.model_validate(copy.deepcopy(body))]
            elif plural == "virtualmachines":
                self.index[cluster_view.VMS][REF] = [parse_vm(copy.deepcopy(body))]

    def run_vmi(self) -> None:
        """KubeVirt starts the VMI."""
        vmi = f.vmi(uid="vmi-1").model_dump(by_alias=True, exclude_none=True, mode="json")
        vmi["metadata"]["labels"] = {"compute.kubenova.io/server": "web-1"}
        vmi["metadata"]["resourceVersion"] = "90"
        self.index[cluster_view.VMIS][REF] = [parse_vmi(vmi)]

    async def reconcile(self) -> list[str]:
        """Writes (and Events) of one reconcile."""
        writes, events = len(self.api.writes), len(self.events.reasons)
        await reconcile.reconcile(self.rt, REF)
        return self.api.writes[writes:] + [f"Event {r}" for r in self.events.reasons[events:]]


@pytest.fixture
def cluster() -> Cluster:
    cluster = Cluster()
    body = f.server(finalizers=[SERVER_FINALIZER]).model_dump(by_alias=True, exclude_none=True, mode="json")
    body.pop("status", None)
    cluster.api.put("servers", body)
    cluster.sync()
    return cluster


async def test_a_build_writes_once_when_placed_and_once_when_active(cluster: Cluster) -> None:
    assert await cluster.reconcile() == ["PATCH servers/status", "POST virtualmachines", "Event Scheduled"]
    # The event of our own status patch, the watch not caught up yet: nothing again.
    assert await cluster.reconcile() == []
    cluster.sync()
    assert await cluster.reconcile() == []
    cluster.run_vmi()
    assert await cluster.reconcile() == ["PATCH servers/status", "Event Active"]
    assert await cluster.reconcile() == []
    server = Server.model_validate(cluster.api.objects[("servers", "web-1")])
    assert (server.status.status, server.status.host) == ("ACTIVE", "n1")
    assert [(a.action, a.result) for a in server.status.actions] == [("create", "Success")]


async def test_a_delete_waits_for_the_vm_and_then_lets_the_server_go(cluster: Cluster) -> None:
    await cluster.reconcile()
    cluster.sync()
    cluster.run_vmi()
    await cluster.reconcile()
    cluster.api.objects[("servers", "web-1")]["metadata"]["deletionTimestamp"] = "2026-01-01T00:09:00Z"
    cluster.sync()
    assert await cluster.reconcile() == ["PATCH servers/status", "DELETE virtualmachines", "Event Deleting"]
    assert await cluster.reconcile() == []  # the VM is going: nothing to send again
    cluster.index[cluster_view.VMS].clear()
    cluster.index[cluster_view.VMIS].clear()
    assert await cluster.reconcile() == ["POST serverrecords", "PATCH servers", "Event Deleted"]
    assert cluster.api.objects[("servers", "web-1")]["metadata"]["finalizers"] == []


async def test_a_server_created_without_the_finalizer_gets_it_first(cluster: Cluster) -> None:
    cluster.api.objects[("servers", "web-1")]["metadata"]["finalizers"] = []
    cluster.sync()
    writes = await cluster.reconcile()
    assert writes[0] == "PATCH servers"
    assert writes[1:] == ["PATCH servers/status", "POST virtualmachines", "Event Scheduled"]


async def test_the_resync_observes_a_resting_server_again_only_when_its_kubevirt_objects_change(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At thousands of servers, parsing every VM and VMI at every resync round was most of the
    operator's idle CPU: a resting Server found in line is looked at again once one of its objects
    (or the Server) has a new resourceVersion, and a change is still caught at the next round."""
    await cluster.reconcile()
    cluster.sync()
    cluster.run_vmi()
    await cluster.reconcile()
    cluster.sync()
    observed: list[str] = []
    transition = observe.transition

    def counted(rt: Runtime, server: Server) -> Any:
        observed.append(server.metadata.name)
        return transition(rt, server)

    monkeypatch.setattr(observe, "transition", counted)
    settled = resync.Settled()

    await resync.resync_once(cluster.rt, settled)
    assert observed == ["web-1"]  # found in line: nothing to do
    await resync.resync_once(cluster.rt, settled)
    assert observed == ["web-1"]  # nothing changed: not observed (nor its VM and VMI parsed) again
    [vmi] = cluster.index[cluster_view.VMIS][REF]
    vmi.metadata.resource_version = "91"  # the VMI changed (nothing the Server shows of it)
    await resync.resync_once(cluster.rt, settled)
    assert observed == ["web-1"] * 2
    await resync.resync_once(cluster.rt, settled)
    assert observed == ["web-1"] * 2

    vm = cluster.api.objects[("virtualmachines", "web-1")]  # `virtctl stop`, outside Nova
    cluster.api.put("virtualmachines", {**vm, "spec": {**vm["spec"], "runStrategy": "Halted"}})
    cluster.sync()
    cluster.index[cluster_view.VMIS].clear()
    writes = len(cluster.api.writes)
    await resync.resync_once(cluster.rt, settled)
    assert observed[2:] == ["web-1", "web-1"]  # the round's look, and the reconcile it started
    assert cluster.api.writes[writes] == "PATCH servers/status"  # caught at this round
    assert "PowerStateSync" in cluster.events.reasons  # (then powered on again: spec.powerState)
