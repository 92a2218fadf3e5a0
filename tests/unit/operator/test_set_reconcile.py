"""A multi-create's members through the reconcile, against the in-memory API server of
``test_reconcile``: the first member reconciled places the whole set (one status write per
member) and creates only its own VM; another member then writes no placement again, only its VM;
a set that does not fit whole gets every member's ERROR and no VM."""

from __future__ import annotations

import copy

from kubenova.domain import names
from kubenova.domain.names import SERVER_FINALIZER
from kubenova.handlers import cluster_view, indexes
from kubenova.handlers.servers import reconcile
from kubenova.handlers.view_keys import IndexedNode, ServerRef
from kubenova.kubevirt.client import parse_vm
from kubenova.resources.server import Server
from tests.unit.operator import factories as f
from tests.unit.operator.test_reconcile import Cluster

MEMBERS = ["web-0", "web-1", "web-2"]


class SetCluster(Cluster):
    """The reconcile test's cluster with three members of one reservation."""

    def __init__(self, node_memory: str = "16Gi") -> None:
        super().__init__()
        node = {
            "metadata": {"name": "n1", "resourceVersion": "1"},
            "status": {
                "allocatable": {"cpu": "8", "memory": node_memory, "ephemeral-storage": "100Gi"},
                "conditions": [{"type": "Ready", "status": "True"}],
            },
        }
        self.index[cluster_view.NODES]["n1"] = [IndexedNode(indexes.node_info(node), "1")]
        for index, name in enumerate(MEMBERS):
            annotations = {
                names.RESERVATION_ID_ANNOTATION: "r-set",
                names.RESERVATION_SIZE_ANNOTATION: str(len(MEMBERS)),
                names.LAUNCH_INDEX_ANNOTATION: str(index),
            }
            member = f.server(
                name=name, uid=f"uid-{name}", finalizers=[SERVER_FINALIZER], annotations=annotations
            )
            body = member.model_dump(by_alias=True, exclude_none=True, mode="json")
            body.pop("status", None)
            self.api.put("servers", body)
        self.sync()

    def sync(self) -> None:
        for (plural, name), body in self.api.objects.items():
            ref = ServerRef("demo", name)
            if plural == "servers":
                server = Server.model_validate(copy.deepcopy(body))
                self.index[cluster_view.SERVERS][ref] = [server]
                self.rt.view.feed.seen(server)  # what the Server index function does per event
            elif plural == "virtualmachines":
                self.index[cluster_view.VMS][ref] = [parse_vm(copy.deepcopy(body))]

    async def reconcile_member(self, name: str) -> list[str]:
        writes, events = len(self.api.writes), len(self.events.reasons)
        await reconcile.reconcile(self.rt, ServerRef("demo", name))
        return self.api.writes[writes:] + [f"Event {r}" for r in self.events.reasons[events:]]

    def stored(self, name: str) -> Server:
        return Server.model_validate(self.api.objects[("servers", name)])


async def test_the_first_member_places_the_whole_set_and_builds_only_its_own_vm() -> None:
    cluster = SetCluster()
    writes = await cluster.reconcile_member("web-1")
    assert writes == ["PATCH servers/status"] * 3 + ["POST virtualmachines"] + ["Event Scheduled"] * 3
    assert {cluster.stored(name).status.host for name in MEMBERS} == {"n1"}
    assert [name for (plural, name) in cluster.api.objects if plural == "virtualmachines"] == ["web-1"]
    # Another member: its placement is already written (the view has our own write): only its VM.
    assert await cluster.reconcile_member("web-0") == ["POST virtualmachines"]
    cluster.sync()
    assert await cluster.reconcile_member("web-2") == ["POST virtualmachines"]
    assert await cluster.reconcile_member("web-2") == []


async def test_a_set_that_does_not_fit_whole_gets_every_member_in_error_and_no_vm() -> None:
    cluster = SetCluster(node_memory="1Gi")  # two of the three fit
    writes = await cluster.reconcile_member("web-0")
    assert writes == ["PATCH servers/status"] * 3 + ["Event NoValidHost"] * 3
    for name in MEMBERS:
        stored = cluster.stored(name)
        assert (stored.status.status, stored.status.host) == ("ERROR", None)
        assert stored.status.fault is not None
        assert stored.status.fault.message == "No valid host was found. There are not enough hosts available."
    cluster.sync()
    for name in MEMBERS:
        assert await cluster.reconcile_member(name) == []
    assert not [key for key in cluster.api.objects if key[0] == "virtualmachines"]
