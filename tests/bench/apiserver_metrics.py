"""The apiserver's own count of requests (``apiserver_request_total`` on ``/metrics``), per phase.

A cross-check of the audit log's counts (``audit_window``) from the apiserver's metrics: the same
requests by verb, resource and code, but for every client together (the metric has no user or user
agent label, so the bench's own few requests, its watch and its checks, are in it, and heartbeats
too). Watches are counted when they end, so they are left out here.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from kubernetes import client

from tests.bench.audit_events import READ_VERBS, WRITE_VERBS

METRIC = "apiserver_request_total{"
LABEL = re.compile(r'(\w+)="([^"]*)"')
Key = tuple[str, str, str]  # verb (the audit log's names), resource[/subresource], code
HTTP_VERBS = {"post": "create", "put": "update", "apply": "patch"}  # the metric labels HTTP-ish verbs


def scrape(kube: client.ApiClient) -> Counter[Key]:
    """The current ``apiserver_request_total`` counters (non-resource requests left out)."""
    response = kube.call_api("GET", f"{kube.configuration.host}/metrics", _request_timeout=60)
    if response.status != 200:
        raise RuntimeError(f"GET /metrics answered {response.status}")
    counts: Counter[Key] = Counter()
    for line in response.read().decode().splitlines():
        if not line.startswith(METRIC):
            continue
        labels_text, value = line[len(METRIC) :].rsplit("} ", 1)
        labels = dict(LABEL.findall(labels_text))
        if not labels.get("resource"):
            continue
        resource = labels["resource"] + (f"/{labels['subresource']}" if labels.get("subresource") else "")
        verb = labels.get("verb", "").lower()
        if verb == "delete" and labels.get("scope") != "resource":
            verb = "deletecollection"  # the metric says DELETE for both; a collection's has scope namespace
        counts[(HTTP_VERBS.get(verb, verb), resource, labels.get("code", ""))] += int(float(value))
    return counts


def delta(before: Counter[Key], after: Counter[Key], servers: int) -> dict[str, Any]:
    """Requests per server between two scrapes: writes, reads (no watches), 409/422, by verb."""
    grown = after - before
    divisor = max(1, servers)
    writes = sum(n for (verb, _, _), n in grown.items() if verb in WRITE_VERBS)
    reads = sum(n for (verb, _, _), n in grown.items() if verb in READ_VERBS and verb != "watch")
    verbs: Counter[str] = Counter()
    for (verb, _, _), n in grown.items():
        if verb != "watch":
            verbs[verb] += n
    return {
        "write": round(writes / divisor, 3),
        "read": round(reads / divisor, 3),
        "409": round(sum(n for (_, _, c), n in grown.items() if c == "409") / divisor, 3),
        "422": round(sum(n for (_, _, c), n in grown.items() if c == "422") / divisor, 3),
        "by_verb": {verb: round(n / divisor, 3) for verb, n in sorted(verbs.items())},
    }
