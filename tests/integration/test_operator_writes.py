"""What the operator writes for one Server, counted on the API server: create → ACTIVE costs it at
most 5 writes, Events included (the Server's create — the gateway's, or this test's — is not one
of them; kubenova's budget is 6 with it), and a whole lifecycle goes without one refused (409/422)
request. A delete → gone costs it 6 writes: the status patch, the VM delete, the deleted server's
record (``ServerRecord`` create), the finalizer removal and two Events.

Counted from the kube-apiserver's own request counters (``apiserver_request_total``, by verb,
resource and code). In the integration session only the operator writes Servers, creates and
deletes VMs and creates user-data Secrets (the simulator writes VM/VMI status, its finalizers and
the VMIs themselves); the operator's Events are listed per Server. The counters are
cluster-wide, so the test first waits until no other Server exists.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from typing import Any

import pytest
from kubernetes import client

from tests.fixtures.operator import OperatorHandle
from tests.integration.compute import API_VERSION, GROUP, VERSION, Compute, Obj
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

SERVER_FINALIZER = "compute.kubenova.io/server"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE", "APPLY"})
OPERATOR_WRITES = {
    (GROUP, "servers"): WRITES,  # status patches and the finalizer
    ("kubevirt.io", "virtualmachines"): frozenset({"POST", "DELETE"}),
    ("", "secrets"): frozenset({"POST"}),
    (GROUP, "serverrecords"): frozenset({"POST"}),  # the deleted server's record
}
"""Writes only the operator makes here. Not listed: VM patches (the simulator patches VMs too; the
VM's generation shows whether its spec changed) and VMI deletes (the simulator deletes the VMI of a
VM being stopped or deleted; the operator deletes one only to reboot)."""
BUDGET = 5
_SAMPLE = re.compile(r"^apiserver_request_total\{(?P<labels>[^}]*)\} (?P<value>\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')

Key = tuple[str, str, str, str, str, str]
"""(group, resource, subresource, verb, code, scope)"""


def request_counts(api: client.ApiClient) -> Counter[Key]:
    """The API server's request counters, cumulative since it started."""
    _, url, headers, _, _ = api.param_serialize(
        method="GET",
        resource_path="/metrics",
        header_params={"Accept": "text/plain"},
        auth_settings=["BearerToken"],
    )
    text = api.call_api("GET", url, header_params=headers).read().decode()
    counts: Counter[Key] = Counter()
    for line in text.splitlines():
        sample = _SAMPLE.match(line)
        if sample is None:
            continue
        labels = dict(_LABEL.findall(sample["labels"]))
        key = (labels.get("group", ""), labels.get("resource", ""), labels.get("subresource", ""))
        verb, code, scope = labels.get("verb", ""), labels.get("code", ""), labels.get("scope", "")
        counts[(*key, verb, code, scope)] += int(float(sample["value"]))
    return counts


def _operators(group: str, resource: str, verb: str, scope: str) -> bool:
    # A DELETE of a whole collection is the namespace controller emptying a deleted test namespace.
    return verb in OPERATOR_WRITES.get((group, resource), ()) and not (
        verb == "DELETE" and scope != "resource"
    )


def operator_writes(delta: Counter[Key]) -> Counter[str]:
    """The operator's writes in ``delta``, as 'VERB resource[/subresource]'."""
    found: Counter[str] = Counter()
    for (group, resource, subresource, verb, _, scope), count in delta.items():
        if _operators(group, resource, verb, scope) and count > 0:
            found[f"{verb} {resource}{'/' + subresource if subresource else ''}"] += count
    return found


def refused(delta: Counter[Key]) -> Counter[str]:
    """409/422 answers to the kinds only the operator writes."""
    return Counter(
        {
            f"{verb} {resource} {code}": count
            for (group, resource, _, verb, code, scope), count in delta.items()
            if code in ("409", "422") and _operators(group, resource, verb, scope) and count > 0
        }
    )


def quiet_cluster(compute: Compute) -> None:
    """No Server anywhere (earlier tests' cleanups finished), so every write counted is ours."""

    def no_servers() -> bool:
        listing: Obj = compute.custom.list_cluster_custom_object(GROUP, VERSION, "servers")
        return not listing["items"]

    wait_for(no_servers, timeout=120, message="Servers of earlier tests gone")


def create_as_the_gateway(compute: Compute, name: str, **spec: Any) -> None:
    """A Server created as the gateway creates it: with the operator's finalizer already set."""
    body = {
        "apiVersion": API_VERSION,
        "kind": "Server",
        "metadata": {"name": name, "finalizers": [SERVER_FINALIZER]},
        "spec": spec,
    }
    compute.custom.create_namespaced_custom_object(GROUP, VERSION, compute.namespace, "servers", body)


def settled_events(compute: Compute, name: str) -> list[str]:
    """The Server's Events once no new one arrives for a second (they are posted in the background)."""
    seen: list[str] = []

    def stable() -> list[str] | None:
        nonlocal seen
        now = compute.events_for(name)
        done = now == seen
        seen = now
        return now if done else None

    result = wait_for(stable, timeout=20, interval=1.0, message="Events posted")
    assert result is not None
    return result


def delta_since(compute: Compute, before: Counter[Key]) -> Counter[Key]:
    after = request_counts(compute.api)
    after.subtract(before)
    return after


def test_create_to_active_costs_the_operator_at_most_five_writes(compute: Compute) -> None:
    flavor, image = compute.flavor(), compute.image()
    quiet_cluster(compute)
    before = request_counts(compute.api)

    create_as_the_gateway(compute, "counted", flavor=flavor, image=image)
    compute.wait_status("counted", "ACTIVE")
    events = settled_events(compute, "counted")
    delta = delta_since(compute, before)

    writes = operator_writes(delta)
    writes.subtract({"POST servers": 1})  # the create itself
    writes += Counter()  # drop zero entries
    total = sum(writes.values()) + len(events)
    report = f"operator writes per create->ACTIVE: {total} = {dict(writes)} + Events {events}"
    print(report)
    assert total <= BUDGET, report
    vm = compute.vm("counted")
    assert vm is not None
    assert vm["metadata"]["generation"] == 1, "the VM's spec was patched after its create"
    assert not refused(delta), refused(delta)

    before = request_counts(compute.api)
    compute.delete_server("counted")
    compute.wait_gone("counted", timeout=30)
    wait_for(
        lambda: compute.vmi("counted") is None and compute.vm("counted") is None,
        timeout=30,
        message="VM and VMI gone",
    )
    delta = delta_since(compute, before)
    writes = operator_writes(delta)
    writes.subtract({"DELETE servers": 1})  # the delete itself
    writes += Counter()
    deleted_events = Counter(settled_events(compute, "counted")) - Counter(events)
    total = sum(writes.values()) + deleted_events.total()
    print(f"operator writes per delete->gone: {total} = {dict(writes)} + Events {dict(deleted_events)}")
    assert writes["POST serverrecords"] == 1, writes
    assert not refused(delta), refused(delta)


def test_a_lifecycle_has_no_refused_requests(compute: Compute, operator: OperatorHandle) -> None:
    flavor, image = compute.flavor(), compute.image()
    quiet_cluster(compute)
    log_start = len(operator.log_text())
    before = request_counts(compute.api)

    create_as_the_gateway(compute, "life", flavor=flavor, image=image)
    compute.wait_status("life", "ACTIVE")
    compute.patch_server("life", {"powerState": "Stopped"})
    compute.wait_status("life", "SHUTOFF")
    compute.patch_server("life", {"powerState": "Running"})
    compute.wait_status("life", "ACTIVE")
    compute.patch_server("life", {"reboot": {"type": "HARD", "requestId": "req-life"}})
    wait_for(
        lambda: (
            compute.server("life")["status"].get("handledReboot") == "req-life"
            and compute.server("life")["status"]["status"] == "ACTIVE"
        ),
        timeout=30,
        message="rebooted",
    )
    compute.delete_server("life")
    compute.wait_gone("life", timeout=30)
    time.sleep(1)

    delta = delta_since(compute, before)
    assert not refused(delta), refused(delta)
    log = operator.log_text()[log_start:]
    for marker in (" 409", " 422", "Conflict", "Invalid", "Traceback"):
        assert marker not in log, f"{marker!r} in the operator log:\n{log}"
