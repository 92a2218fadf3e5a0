"""The kube-apiserver audit log as request records: who asked, what verb, which resource, what answer.

One record per request (``auditID``), timed by when the apiserver received it. Ordinary requests are
logged once, at stage ``ResponseComplete``; a watch is logged at ``ResponseStarted`` and again when
it closes, possibly minutes later, so the first event of an id is the one kept (same received time).

Who is who: every component of the bench stack has its own client certificate, so the user name
(the certificate's CN) tells them apart; the user agent is kept as a detail. The control plane's
own kube-controller-manager shares the admin certificate and is recognised by its user agent.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Users (certificate CNs) of the bench stack's components, and their names in reports.
OPERATOR_USER = "kubenova-operator"
GATEWAY_USER = "kubenova-gateway"
SIMULATOR_USER = "kubevirt-simulator"
BENCH_USER = "kubenova-bench"
COMPONENT_USERS = {OPERATOR_USER: "operator", GATEWAY_USER: "gateway", SIMULATOR_USER: "simulator"}
BENCH = "bench"
# kubenova's own components: the ones the "writes per create→ACTIVE" target is about. The simulator
# stands in for KubeVirt (virt-controller, virt-handler), whose writes are KubeVirt's, not kubenova's.
KUBENOVA_COMPONENTS = ("operator", "gateway")

WRITE_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection"})
READ_VERBS = frozenset({"get", "list", "watch"})

# The marker the bench driver requests to cut the log into phases: GET of a ConfigMap that does not
# exist, named ``MARKER_PREFIX + <phase> + .begin|.end``, in ``MARKER_NAMESPACE``.
MARKER_NAMESPACE = "default"
MARKER_PREFIX = "kubenova-bench."


def _parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def component_of(user: str, user_agent: str) -> str:
    if user in COMPONENT_USERS:
        return COMPONENT_USERS[user]
    if user == BENCH_USER:
        return BENCH
    if user_agent.startswith("kube-controller-manager"):
        return "kube-controller-manager"
    if user == "system:apiserver":
        return "kube-apiserver"
    return user or "anonymous"


@dataclass(frozen=True)
class Request:
    """One apiserver request, from its audit event(s)."""

    audit_id: str
    received: datetime.datetime
    component: str
    user_agent: str
    verb: str
    resource: str  # plural[.group][/subresource], or the path of a non-resource request
    namespace: str
    name: str
    code: int

    @property
    def kind(self) -> str:
        """``write``, ``read`` or ``other`` (non-resource requests such as discovery)."""
        if self.resource.startswith("/"):
            return "other"
        if self.verb in WRITE_VERBS:
            return "write"
        return "read" if self.verb in READ_VERBS else "other"

    @property
    def heartbeat(self) -> bool:
        """Periodic liveness writes, background rather than workload: Lease renewals (the simulator's
        per Node, the apiserver's own identity Lease) and the simulator's Node status heartbeats."""
        if self.resource.startswith("leases."):
            return True
        return self.component == "simulator" and self.resource == "nodes/status" and self.verb == "patch"

    @property
    def marker(self) -> str | None:
        """The marker's label (``<phase>.begin``/``.end``) if this is one of the driver's markers."""
        if self.component != BENCH or self.resource != "configmaps" or self.namespace != MARKER_NAMESPACE:
            return None
        return self.name[len(MARKER_PREFIX) :] if self.name.startswith(MARKER_PREFIX) else None


def _resource(event: dict[str, Any]) -> str:
    ref = event.get("objectRef")
    if not ref:
        return str(event.get("requestURI", "")).split("?", 1)[0]
    text = str(ref.get("resource", ""))
    if ref.get("apiGroup"):
        text += f".{ref['apiGroup']}"
    if ref.get("subresource"):
        text += f"/{ref['subresource']}"
    return text


def to_request(event: dict[str, Any]) -> Request:
    ref = event.get("objectRef") or {}
    user = event.get("user") or {}
    user_agent = str(event.get("userAgent", ""))
    return Request(
        audit_id=str(event["auditID"]),
        received=_parse_time(str(event["requestReceivedTimestamp"])),
        component=component_of(str(user.get("username", "")), user_agent),
        user_agent=user_agent,
        verb=str(event.get("verb", "")),
        resource=_resource(event),
        namespace=str(ref.get("namespace", "")),
        name=str(ref.get("name", "")),
        code=int((event.get("responseStatus") or {}).get("code", 0)),
    )


@dataclass
class AuditLog:
    """Reads the log as it grows (:meth:`poll`); keeps every request seen, in file order."""

    path: Path
    requests: list[Request] = field(default_factory=list)
    _offset: int = 0
    _seen: set[str] = field(default_factory=set)

    def poll(self) -> list[Request]:
        """Parse the complete lines appended since the last call; return the new requests."""
        if not self.path.exists():
            return []
        with self.path.open("rb") as handle:
            handle.seek(self._offset)
            data = handle.read()
        end = data.rfind(b"\n") + 1
        self._offset += end
        new = list(self._parse(data[:end].splitlines()))
        self.requests.extend(new)
        return new

    def _parse(self, lines: Iterable[bytes]) -> Iterator[Request]:
        for line in lines:
            if not line.strip():
                continue
            event = json.loads(line)
            audit_id = str(event.get("auditID"))
            if audit_id in self._seen or "requestReceivedTimestamp" not in event:
                continue
            self._seen.add(audit_id)
            yield to_request(event)

    def markers(self) -> dict[str, datetime.datetime]:
        """Every marker label seen so far, with the time the apiserver received it."""
        return {r.marker: r.received for r in self.requests if r.marker is not None}
