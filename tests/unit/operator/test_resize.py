"""Resize as pure decisions: Nova's refusals, the state sequence, both placements held until
confirm or revert (view and ledger), and the VM patch of a cold resize."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kubenova.domain import pending, resize_rules
from kubenova.handlers import cluster_view
from kubenova.handlers.cluster_view import ClusterView
from kubenova.handlers.view_keys import ServerRef
from kubenova.kubevirt import models, reshape
from kubenova.resources.server import ResizeDecision
from kubenova.resources.states import TaskState, VmState
from kubenova.scheduler import resize_holds
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_state import HostState, PlacedServer
from kubenova.status import render
from kubenova.status import resize_operations as ops
from tests.unit.operator import factories as f
from tests.unit.operator.test_placement import Listing, make_placement, node
from tests.unit.scheduler.factories import make_spec

SMALL = f.embedded(id="s", name="small", vcpus=2, ram=1024, disk=2)
BIG = f.embedded(id="b", name="big", vcpus=4, ram=2048, disk=4)


def placed_server(**status: Any) -> Any:
    base = {
        "vmState": "active",
        "powerState": "Running",
        "host": "n1",
        "availabilityZone": "nova",
        "flavor": SMALL.to_api(),
    }
    return f.server(spec={"flavor": "big", "resize": {"requestId": "req-1"}}, status={**base, **status})


def test_nova_refusals() -> None:
    assert resize_rules.api_refusal(SMALL, SMALL) == "Resize requires a flavor change."
    zero = f.embedded(id="z", disk=0)
    assert resize_rules.api_refusal(SMALL, zero) == resize_rules.ZERO_DISK
    assert "Resize to zero disk flavor is not allowed." in resize_rules.ZERO_DISK
    assert resize_rules.api_refusal(zero, f.embedded(id="y", disk=0)) is None  # from disk 0 too
    assert resize_rules.api_refusal(SMALL, BIG) is None
    shrink = f.embedded(id="t", vcpus=8, disk=1)
    assert resize_rules.api_refusal(SMALL, shrink) is None  # Nova's API lets it through ...
    assert resize_rules.disk_refusal(SMALL, shrink) == "Resize error: Unable to resize disk down."
    less_ephemeral = f.embedded(id="e", disk=2, ephemeral=0)
    assert resize_rules.disk_refusal(f.embedded(id="d", disk=2, ephemeral=1), less_ephemeral)
    assert resize_rules.refusal(SMALL, BIG) is None


def test_quota_counts_only_growth() -> None:
    assert resize_rules.quota_growth(SMALL, BIG) == resize_rules.Growth(cores=2, ram=1024)
    assert resize_rules.quota_growth(BIG, SMALL) == resize_rules.Growth(cores=0, ram=0)


def test_pending_resize_shows_resize_prep_until_taken_up() -> None:
    server = placed_server()
    assert resize_rules.resize_pending(server)
    assert pending.task_state(server) is TaskState.RESIZE_PREP
    handled = placed_server(handledResize="req-1")
    assert not resize_rules.resize_pending(handled)
    assert pending.task_state(handled) is None


def test_state_sequence_to_verify_resize_and_confirm() -> None:
    server = placed_server()
    begun = ops.begin(server, host="n2", zone="nova", flavor=BIG)
    assert begun is not None
    assert (begun.vm_state, begun.task_state) == (VmState.ACTIVE, TaskState.RESIZE_PREP)
    server = apply(server, begun)
    assert server.status.resize is not None
    assert server.status.resize.running
    assert server.status.host == "n1"
    assert server.status.flavor == SMALL
    assert ops.begin(server, host="n2", zone="nova", flavor=BIG) is None  # taken up once
    assert ops.advance(server, TaskState.RESIZE_MIGRATED) is None  # no skipping
    for task in (TaskState.RESIZE_MIGRATING, TaskState.RESIZE_MIGRATED, TaskState.RESIZE_FINISH):
        step = ops.advance(server, task)
        assert step is not None
        assert step.task_state is task
        server = apply(server, step)
        assert server.status.status == "RESIZE"
    assert server.status.host == "n2"
    assert server.status.flavor == BIG
    done = ops.finished(server, now="2026-01-01T00:01:00Z")
    assert done is not None
    server = apply(server, done)
    assert (server.status.vm_state, server.status.task_state, server.status.status) == (
        VmState.RESIZED,
        None,
        "VERIFY_RESIZE",
    )
    assert server.status.resize is not None  # the old host is held until confirm
    assert [(a.action, a.result) for a in server.status.actions] == [("resize", "Success")]
    asked = server.model_copy(
        update={"spec": server.spec.model_copy(update={"resize_decision": decision("Confirm")})}
    )
    confirmed = ops.confirm(asked)
    assert confirmed is not None
    final = apply(asked, confirmed)
    assert (final.status.status, final.status.resize, final.status.host) == ("ACTIVE", None, "n2")
    assert final.status.handled_resize_decision == "req-2"


def test_revert_restores_flavor_and_host() -> None:
    server = resized()
    asked = server.model_copy(
        update={"spec": server.spec.model_copy(update={"resize_decision": decision("Revert")})}
    )
    assert ops.confirm(asked) is None
    begun = ops.begin_revert(asked)
    assert begun is not None
    assert begun.task_state is TaskState.RESIZE_REVERTING
    server = apply(asked, begun)
    assert server.status.status == "REVERT_RESIZE"
    assert ops.reverted(server) is None  # not before the old placement is written back
    back = ops.reverted_placement(server)
    assert back is not None
    server = apply(server, back)
    assert (server.status.host, server.status.flavor) == ("n1", SMALL)
    done = ops.reverted(server)
    assert done is not None
    server = apply(server, done)
    assert (server.status.status, server.status.resize, server.status.task_state) == ("ACTIVE", None, None)


def test_stopped_server_resizes_to_verify_resize_and_back_to_shutoff() -> None:
    server = placed_server(vmState="stopped", powerState="Shutdown")
    begun = ops.begin(server, host="n2", zone="nova", flavor=BIG)
    assert begun is not None
    assert begun.vm_state is VmState.STOPPED
    server = apply(server, begun)
    assert server.status.resize is not None
    assert not server.status.resize.running
    for task in (TaskState.RESIZE_MIGRATING, TaskState.RESIZE_MIGRATED, TaskState.RESIZE_FINISH):
        server = apply(server, ops.advance(server, task))
    server = apply(server, ops.finished(server, now="2026-01-01T00:01:00Z"))
    assert server.status.power_state is not None
    assert server.status.power_state.value == "Shutdown"
    confirmed = ops.confirm(server, automatic=True)
    assert confirmed is not None
    assert confirmed.vm_state is VmState.STOPPED


def test_vm_that_cannot_start_after_resize_is_error_with_both_holds() -> None:
    server = placed_server()
    server = apply(server, ops.begin(server, host="n2", zone="nova", flavor=BIG))
    assert ops.failed_to_start(server, "ErrorUnschedulable", None) is None  # not before the start
    for task in (TaskState.RESIZE_MIGRATING, TaskState.RESIZE_MIGRATED, TaskState.RESIZE_FINISH):
        server = apply(server, ops.advance(server, task))
    failed = ops.failed_to_start(server, "ErrorUnschedulable", "PodScheduled: 0/3 nodes")
    after = apply(server, failed)
    assert after.status.status == "ERROR"
    assert after.status.fault is not None
    assert after.status.fault.message == "ErrorUnschedulable"
    assert after.status.resize is not None  # both placements stay held
    assert [(a.action, a.result) for a in after.status.actions] == [("resize", "Error")]


def test_refusal_keeps_the_server_as_it_was() -> None:
    server = placed_server()
    refused = ops.refuse(server, "No valid host was found.", fault=True)
    assert refused is not None
    after = apply(server, refused)
    assert (after.status.status, after.status.host, after.status.flavor) == ("ACTIVE", "n1", SMALL)
    assert after.status.handled_resize == "req-1"
    assert [(a.action, a.result, a.message) for a in after.status.actions] == [
        ("resize", "Error", "No valid host was found.")
    ]
    assert ops.refuse(after, "again") is None


def test_view_holds_both_placements_while_resizing() -> None:
    server = resized()
    view = ClusterView()
    view.bind({cluster_view.SERVERS: {ServerRef("demo", "web-1"): [server]}})
    uid = f.SERVER_UID
    assert sorted(view.placements(), key=lambda p: p.uid) == [
        PlacedServer(uid, "n1", 2, 1024, 2),
        PlacedServer(uid + "/resize", "n2", 4, 2048, 4),
    ]
    same_host = resize_holds.placements(
        uid, "n1", BIG, server.status.resize.model_copy(update={"target_host": "n1"})
    )
    assert {p.host for p in same_host} == {"n1"}
    assert len({p.uid for p in same_host}) == 2


def test_extra_hold_is_the_other_placement() -> None:
    server = placed_server()
    assert resize_rules.extra_hold(server) is None
    server = apply(server, ops.begin(server, host="n2", zone="nova", flavor=BIG))
    extra = resize_rules.extra_hold(server)
    assert extra is not None
    assert (extra[0], extra[1].vcpus) == ("n2", 4)  # before the move: the new host is the extra
    for task in (TaskState.RESIZE_MIGRATING, TaskState.RESIZE_MIGRATED):
        server = apply(server, ops.advance(server, task))
    extra = resize_rules.extra_hold(server)
    assert extra is not None
    assert (extra[0], extra[1].vcpus) == ("n1", 2)  # after it: the old host


def test_ledger_holds_source_and_target_until_settled() -> None:
    listing = Listing([node("n1", cpu="4"), node("n2", cpu="4")])
    ledger = make_placement(listing)
    uid = "srv"
    source = PlacedServer(uid, "n1", 2, 1024, 2)
    listing.indexed = [source]
    persisted: list[str] = []

    async def persist(host: HostState) -> str:
        persisted.append(host.name)
        return host.name

    spec = make_spec(uid, vcpus=4, memory_mb=2048, root_gb=4)
    # The current host is ignored (allow_resize_to_same_host off): n2 it is.
    asyncio.run(ledger.place_resize(spec, listing, persist, source=source, ignore_hosts=frozenset({"n1"})))
    assert persisted == ["n2"]
    held = {(p.uid, p.host, p.vcpus) for p in ledger.usage(listing.placements())}
    assert held == {(uid, "n1", 2), (uid + "/resize", "n2", 4)}
    # Another 4-vCPU server fits nowhere while both are held ...
    with pytest.raises(NoValidHost):
        asyncio.run(ledger.place(make_spec("other", vcpus=4), listing, persist))
    # ... and on n1 once the resize is confirmed (the view still lagging behind).
    ledger.settle(uid, PlacedServer(uid, "n2", 4, 2048, 4))
    assert asyncio.run(ledger.place(make_spec("other", vcpus=4), listing, persist)) == "n1"


def test_ledger_resize_without_room_raises_no_valid_host() -> None:
    listing = Listing([node("n1", cpu="4")])
    ledger = make_placement(listing)
    source = PlacedServer("srv", "n1", 2, 1024, 2)
    listing.indexed = [source]

    async def persist(host: HostState) -> str:
        raise AssertionError("nothing to persist")

    with pytest.raises(NoValidHost):
        asyncio.run(
            ledger.place_resize(
                make_spec("srv", vcpus=4), listing, persist, source=source, ignore_hosts=frozenset({"n1"})
            )
        )
    # Same host allowed: both placements must fit there at once (2 + 4 > 4 vCPUs).
    with pytest.raises(NoValidHost):
        asyncio.run(ledger.place_resize(make_spec("srv", vcpus=4), listing, persist, source=source))


def test_vm_patch_gives_new_shape_and_host() -> None:
    vm = f.vm()
    patch = reshape.vm_patch(BIG, "n2")
    body = vm.to_api()
    _merge(body, patch)
    patched = models.VirtualMachine.model_validate(body)
    assert reshape.shaped(patched, BIG, "n2")
    assert not reshape.shaped(patched, BIG, "n1")
    assert patch["spec"]["template"]["spec"]["nodeSelector"] == {"kubernetes.io/hostname": "n2"}


def test_root_disk_grows_never_shrinks() -> None:
    image = f.image()
    assert reshape.grown_root_bytes(SMALL, BIG, image) == 4 * 1024**3
    assert reshape.grown_root_bytes(BIG, SMALL, image) is None
    assert reshape.claim_patch(4 * 1024**3) == {"spec": {"resources": {"requests": {"storage": "4Gi"}}}}


# ----- helpers -------------------------------------------------------------------------------


def decision(action: str) -> Any:
    return ResizeDecision(action=action, request_id="req-2")  # type: ignore[arg-type]


def resized() -> Any:
    server = placed_server()
    server = apply(server, ops.begin(server, host="n2", zone="nova", flavor=BIG))
    for task in (TaskState.RESIZE_MIGRATING, TaskState.RESIZE_MIGRATED, TaskState.RESIZE_FINISH):
        server = apply(server, ops.advance(server, task))
    return apply(server, ops.finished(server, now="2026-01-01T00:01:00Z"))


def apply(server: Any, transition: Any) -> Any:
    assert transition is not None
    patch = render(server, transition, now="2026-01-01T00:00:30Z")
    assert patch is not None
    status = server.status.to_api()
    _merge(status, patch)
    return server.model_copy(update={"status": type(server.status).model_validate(status)})


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if value is None:
            base.pop(key, None)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
