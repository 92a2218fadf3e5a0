"""Server groups on the real control plane with the simulator's Nodes, through kubectl's path: a
ServerGroup object and Servers naming it in ``spec.schedulerHints.group``. What is asserted is
where the VMIs run (``status.nodeName``), not only what the Servers say.

Each test has its own Nodes (exact capacity) in its own availability zone with allocation ratio
1.0, so nothing else in the session competes for them.
"""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

import pytest
from kubernetes.client.exceptions import ApiException

from kubenova.resources import GROUP, VERSION
from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.integration.compute import Compute, Obj, unique
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

BUILD_TIMEOUT = 90.0
FLAT = {"ram_weight_multiplier": "0", "cpu_weight_multiplier": "0", "disk_weight_multiplier": "0"}
"""Aggregate metadata silencing the resource weighers: only the group weighers rank, and without
them ties go to the first host by name (so a spread or a follow is the weigher's doing)."""


@dataclass
class Zone:
    name: str
    nodes: list[str]
    flavor: str
    image: str


def make_zone(managed_node: ManagedNodeFactory, compute: Compute, count: int, **metadata: str) -> Zone:
    nodes = sorted(managed_node(unique("grp"), cpu="4", memory="16Gi") for _ in range(count))
    name = unique("az-grp")
    compute.aggregate(zone=name, hosts=nodes, metadata={"cpu_allocation_ratio": "1.0", **metadata})
    return Zone(name, nodes, compute.flavor(vcpus=1, ram=128, disk=1), compute.image())


def make_group(compute: Compute, policy: str, **rules: int) -> str:
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ServerGroup",
        "metadata": {"generateName": "sg-"},
        "spec": {"name": unique("g"), "policy": policy, "rules": rules},
    }
    created = cast(
        Obj,
        compute.custom.create_namespaced_custom_object(
            GROUP, VERSION, compute.namespace, "servergroups", body
        ),
    )
    return str(created["metadata"]["uid"])


def shown_members(compute: Compute, group: str, expected: set[str]) -> None:
    """The ServerGroup's ``status.members`` (the operator's derived copy) becomes ``expected``."""

    def shown() -> bool:
        listing = cast(
            Obj,
            compute.custom.list_namespaced_custom_object(GROUP, VERSION, compute.namespace, "servergroups"),
        )
        (obj,) = [g for g in listing["items"] if g["metadata"]["uid"] == group]
        return set((obj.get("status") or {}).get("members") or []) == expected

    wait_for(shown, timeout=30, message=f"server group members {expected}")


def create_members(compute: Compute, zone: Zone, group: str, names: list[str], **spec: Any) -> None:
    def create(name: str) -> None:
        compute.create_server(
            name,
            flavor=zone.flavor,
            image=zone.image,
            availabilityZone=zone.name,
            schedulerHints={"group": group},
            **spec,
        )

    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(create, names))


def running_on(compute: Compute, names: list[str]) -> dict[str, str]:
    """Each server ACTIVE, its VMI running on the server's host: name → Node."""
    hosts: dict[str, str] = {}
    for name in names:
        server = compute.wait_status(name, "ACTIVE", timeout=BUILD_TIMEOUT)
        vmi = compute.vmi(name)
        assert vmi is not None
        assert vmi["status"]["nodeName"] == server["status"]["host"]
        hosts[name] = server["status"]["host"]
    return hosts


def refused(compute: Compute, name: str) -> str:
    """The server went to ERROR with NoValidHost and no VM; returns the fault's details."""
    server = compute.wait_status(name, "ERROR", timeout=BUILD_TIMEOUT)
    fault = server["status"]["fault"]
    assert fault["message"] == "No valid host was found."
    assert server["status"].get("host") is None
    assert compute.vm(name) is None
    return str(fault["details"])


def test_anti_affinity_spreads_members_and_refuses_one_more(
    managed_node: ManagedNodeFactory, compute: Compute
) -> None:
    zone = make_zone(managed_node, compute, 3)
    group = make_group(compute, "anti-affinity")
    names = [f"anti-{i}" for i in range(3)]
    create_members(compute, zone, group, names)  # at once: the ledger decides one at a time
    hosts = running_on(compute, names)
    assert sorted(hosts.values()) == zone.nodes
    create_members(compute, zone, group, ["anti-3"])
    assert "ServerGroupAntiAffinityFilter: (start: 3, end: 0)" in refused(compute, "anti-3")


def test_max_server_per_host(managed_node: ManagedNodeFactory, compute: Compute) -> None:
    zone = make_zone(managed_node, compute, 2)
    group = make_group(compute, "anti-affinity", maxServerPerHost=2)
    names = [f"max-{i}" for i in range(4)]
    create_members(compute, zone, group, names)
    assert Counter(running_on(compute, names).values()) == dict.fromkeys(zone.nodes, 2)
    create_members(compute, zone, group, ["max-4"])
    assert "ServerGroupAntiAffinityFilter: (start: 2, end: 0)" in refused(compute, "max-4")


def test_affinity_puts_members_together(managed_node: ManagedNodeFactory, compute: Compute) -> None:
    zone = make_zone(managed_node, compute, 3)
    group = make_group(compute, "affinity")
    names = [f"aff-{i}" for i in range(3)]
    create_members(compute, zone, group, names)
    assert len(set(running_on(compute, names).values())) == 1  # the resource weighers would spread them


def test_soft_anti_affinity_prefers_spreading_but_does_not_refuse(
    managed_node: ManagedNodeFactory, compute: Compute
) -> None:
    zone = make_zone(managed_node, compute, 2, **FLAT)
    group = make_group(compute, "soft-anti-affinity")
    names = [f"santi-{i}" for i in range(4)]
    for name in names:  # one after the other, so each sees the others' hosts
        create_members(compute, zone, group, [name])
        running_on(compute, [name])
    assert Counter(running_on(compute, names).values()) == dict.fromkeys(zone.nodes, 2)


def test_soft_affinity_follows_the_members_host_but_does_not_refuse(
    managed_node: ManagedNodeFactory, compute: Compute
) -> None:
    zone = make_zone(managed_node, compute, 2, **FLAT)
    group = make_group(compute, "soft-affinity")
    second = zone.nodes[1]  # without the weigher, ties go to zone.nodes[0]
    create_members(compute, zone, group, ["saff-0"], forcedHost=second)
    running_on(compute, ["saff-0"])  # placed before the next member is weighed against it
    names = [f"saff-{i}" for i in range(1, 5)]
    for name in names:
        create_members(compute, zone, group, [name])
        running_on(compute, [name])
    hosts = running_on(compute, ["saff-0", *names])
    # 4 vCPUs per Node: three follow the first member, the fourth goes elsewhere instead of failing
    assert Counter(hosts.values()) == {second: 4, zone.nodes[0]: 1}


def test_a_deleted_server_leaves_the_group(managed_node: ManagedNodeFactory, compute: Compute) -> None:
    zone = make_zone(managed_node, compute, 2)
    group = make_group(compute, "anti-affinity")
    create_members(compute, zone, group, ["leave-0", "leave-1"])
    hosts = running_on(compute, ["leave-0", "leave-1"])
    ids = {name: compute.server(name)["metadata"]["uid"] for name in hosts}
    shown_members(compute, group, {ids["leave-0"], ids["leave-1"]})  # what kubectl shows
    compute.delete_server("leave-0")
    compute.wait_gone("leave-0")
    shown_members(compute, group, {ids["leave-1"]})
    create_members(compute, zone, group, ["leave-2"])
    assert running_on(compute, ["leave-2"]) == {"leave-2": hosts["leave-0"]}
    shown_members(compute, group, {ids["leave-1"], compute.server("leave-2")["metadata"]["uid"]})


def test_a_missing_group_fails_the_build_with_novas_message(compute: Compute) -> None:
    missing = str(uuid.uuid4())
    compute.create_server(
        "lost", flavor=compute.flavor(), image=compute.image(), schedulerHints={"group": missing}
    )
    server = compute.wait_status("lost", "ERROR", timeout=BUILD_TIMEOUT)
    assert server["status"]["fault"]["message"] == f"Instance group {missing} could not be found."
    assert compute.vm("lost") is None


def test_a_group_cannot_be_changed_and_rules_need_anti_affinity(compute: Compute) -> None:
    with pytest.raises(ApiException) as caught:
        make_group(compute, "affinity", maxServerPerHost=2)
    assert "Only anti-affinity policy supports rules." in str(caught.value.body)
    group = make_group(compute, "affinity")
    listing = cast(
        Obj, compute.custom.list_namespaced_custom_object(GROUP, VERSION, compute.namespace, "servergroups")
    )
    (obj,) = [g for g in listing["items"] if g["metadata"]["uid"] == group]
    with pytest.raises(ApiException) as caught:
        compute.custom.patch_namespaced_custom_object(
            GROUP,
            VERSION,
            compute.namespace,
            "servergroups",
            obj["metadata"]["name"],
            {"spec": {"policy": "anti-affinity"}},
        )
    assert "a server group cannot be changed" in str(caught.value.body)


def test_anti_affinity_holds_across_an_operator_restart(
    managed_node: ManagedNodeFactory, compute: Compute, operator: OperatorHandle
) -> None:
    """Members created while the operator is down, one placed before it stopped: the restarted
    operator (empty ledger) takes the persisted host and the members' hints from the listing,
    and places the rest concurrently, each on its own Node."""
    zone = make_zone(managed_node, compute, 4)
    group = make_group(compute, "anti-affinity")
    create_members(compute, zone, group, ["restart-0"])
    first = running_on(compute, ["restart-0"])["restart-0"]
    names = [f"restart-{i}" for i in range(1, 4)]
    operator.stop()
    try:
        create_members(compute, zone, group, names)
        assert not any((compute.server(n).get("status") or {}).get("host") for n in names)
    finally:
        operator.start()
    hosts = running_on(compute, names)
    assert sorted([first, *hosts.values()]) == zone.nodes


def test_unshelve_follows_the_group_policy(managed_node: ManagedNodeFactory, compute: Compute) -> None:
    """An offloaded affinity member asked to unshelve onto another Node finds no valid host
    (ServerGroupAffinityFilter, though that Node is the only candidate); unshelved without a
    host it goes back to its members."""
    zone = make_zone(managed_node, compute, 2)
    group = make_group(compute, "affinity")
    create_members(compute, zone, group, ["shelf-0"])
    home = running_on(compute, ["shelf-0"])["shelf-0"]
    create_members(compute, zone, group, ["shelf-1"])
    assert running_on(compute, ["shelf-1"]) == {"shelf-1": home}
    compute.patch_server("shelf-1", {"shelved": True})  # shelved_offload_time 0: offloaded at once
    compute.wait_status("shelf-1", "SHELVED_OFFLOADED", timeout=BUILD_TIMEOUT)
    elsewhere = next(n for n in zone.nodes if n != home)
    compute.patch_server(
        "shelf-1", {"shelved": False, "unshelve": {"requestId": "req-away", "host": elsewhere}}
    )

    def failed() -> Obj | None:
        server = compute.server("shelf-1")
        record = [a for a in server["status"].get("actions", []) if a["requestId"] == "req-away"]
        return server if record and record[0].get("result") == "Error" else None

    refused = wait_for(failed, timeout=BUILD_TIMEOUT, message="unshelve refused")
    assert refused is not None
    assert refused["status"]["status"] == "SHELVED_OFFLOADED"
    message = next(a for a in refused["status"]["actions"] if a["requestId"] == "req-away")["message"]
    assert "ServerGroupAffinityFilter: (start: 1, end: 0)" in message
    assert compute.vmi("shelf-1") is None

    compute.patch_server("shelf-1", {"unshelve": {"requestId": "req-home", "host": None}})
    assert running_on(compute, ["shelf-1"]) == {"shelf-1": home}


def test_live_migration_follows_the_group_policy(managed_node: ManagedNodeFactory, compute: Compute) -> None:
    """An anti-affinity member asked to live-migrate onto its sibling's Node finds no valid host
    (ServerGroupAntiAffinityFilter); the VMI stays where it ran and no migration is created."""
    zone = make_zone(managed_node, compute, 2)
    group = make_group(compute, "anti-affinity")
    names = ["mover-0", "mover-1"]
    create_members(compute, zone, group, names)
    hosts = running_on(compute, names)
    before = compute.vmi("mover-0")
    assert before is not None
    compute.patch_server("mover-0", {"liveMigrate": {"requestId": "req-onto", "host": hosts["mover-1"]}})

    def failed() -> Obj | None:
        server = compute.server("mover-0")
        record = [a for a in server["status"].get("actions", []) if a["requestId"] == "req-onto"]
        return server if record and record[0].get("result") == "Error" else None

    refused = wait_for(failed, timeout=BUILD_TIMEOUT, message="live migration refused")
    assert refused is not None
    assert refused["status"]["status"] == "ACTIVE"
    assert refused["status"]["host"] == hosts["mover-0"]
    message = next(a for a in refused["status"]["actions"] if a["requestId"] == "req-onto")["message"]
    assert "ServerGroupAntiAffinityFilter: (start: 1, end: 0)" in message
    after = compute.vmi("mover-0")
    assert after is not None
    assert after["metadata"]["uid"] == before["metadata"]["uid"]
    assert after["status"]["nodeName"] == hosts["mover-0"]


def test_cold_migration_follows_the_group_policy(managed_node: ManagedNodeFactory, compute: Compute) -> None:
    """An anti-affinity member cold-migrated with 3 Nodes (resource weighers silenced, so ties
    would go to the first Node by name) goes to the Node free of the group, never its sibling's."""
    zone = make_zone(managed_node, compute, 3, **FLAT)
    group = make_group(compute, "anti-affinity")
    names = ["cold-0", "cold-1"]
    create_members(compute, zone, group, names)
    hosts = running_on(compute, names)
    free = next(node for node in zone.nodes if node not in hosts.values())
    compute.patch_server("cold-0", {"migrate": {"requestId": "req-cold"}})
    moved = compute.wait_status("cold-0", "VERIFY_RESIZE", timeout=BUILD_TIMEOUT)
    assert moved["status"]["host"] == free
    vmi = compute.vmi("cold-0")
    assert vmi is not None
    assert vmi["status"]["nodeName"] == free
    compute.patch_server("cold-0", {"resizeDecision": {"action": "Confirm", "requestId": "req-cold-ok"}})
    assert compute.wait_status("cold-0", "ACTIVE")["status"]["host"] == free


def test_cold_migration_onto_the_siblings_node_finds_no_valid_host(
    managed_node: ManagedNodeFactory, compute: Compute
) -> None:
    """With its sibling's Node the only other one, an anti-affinity member's cold migration is
    refused by ServerGroupAntiAffinityFilter (the fault's details name it); the server and its
    VMI stay where they were."""
    zone = make_zone(managed_node, compute, 2)
    group = make_group(compute, "anti-affinity")
    names = ["stay-0", "stay-1"]
    create_members(compute, zone, group, names)
    hosts = running_on(compute, names)
    before = compute.vmi("stay-0")
    assert before is not None
    compute.patch_server("stay-0", {"migrate": {"requestId": "req-stay"}})

    def failed() -> Obj | None:
        server = compute.server("stay-0")
        record = [a for a in server["status"].get("actions", []) if a["requestId"] == "req-stay"]
        return server if record and record[0].get("result") == "Error" else None

    refused = wait_for(failed, timeout=BUILD_TIMEOUT, message="cold migration refused")
    assert refused is not None
    assert (refused["status"]["status"], refused["status"]["host"]) == ("ACTIVE", hosts["stay-0"])
    # Nova records the NoValidHost as the instance's fault; its details say which filter refused.
    fault = refused["status"]["fault"]
    assert fault["message"] == "No valid host was found."
    assert "ServerGroupAntiAffinityFilter" in fault["details"]
    after = compute.vmi("stay-0")
    assert after is not None
    assert after["metadata"]["uid"] == before["metadata"]["uid"]
    assert after["status"]["nodeName"] == hosts["stay-0"]
