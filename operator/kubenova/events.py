"""Kubernetes Events on Servers: every Nova state change is announced where `kubectl describe`
shows it.

Posted by kubenova itself, one create per Event, in the background (a handler never waits for
it; a failure is logged, never retried into a storm). Not through kopf's poster: kopf posts only
from inside its handlers, and the resync task and retries run outside them; kopf's own posting
is switched off (``handlers.startup``), so every Event on a Server is one of these.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import UTC, datetime
from typing import Any

from kubenova import k8s
from kubenova.resources.base import API_VERSION, CustomResource

LOG = logging.getLogger(__name__)
COMPONENT = "kubenova-operator"


def body(obj: CustomResource, *, reason: str, message: str, warning: bool, instance: str) -> dict[str, Any]:
    """A core/v1 Event about ``obj``."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    namespace = obj.metadata.namespace or "default"
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": f"{obj.metadata.name}.", "namespace": namespace},
        "involvedObject": {
            "apiVersion": API_VERSION,
            "kind": obj.crd.kind,
            "name": obj.metadata.name,
            "namespace": obj.metadata.namespace or "",
            "uid": obj.metadata.uid or "",
        },
        "reason": reason,
        "message": message[:1024],
        "type": "Warning" if warning else "Normal",
        "source": {"component": COMPONENT},
        "reportingComponent": COMPONENT,
        "reportingInstance": instance,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
    }


class EventPoster:
    """Posts Events without making the caller wait."""

    def __init__(self, client: k8s.Client) -> None:
        self._client = client
        self._instance = socket.gethostname()
        self._sending: set[asyncio.Task[None]] = set()

    def post(self, obj: CustomResource, *, reason: str, message: str, warning: bool = False) -> None:
        """Post a Normal (or Warning) Event about ``obj``."""
        event = body(obj, reason=reason, message=message, warning=warning, instance=self._instance)
        task = asyncio.get_running_loop().create_task(self._send(event))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, event: dict[str, Any]) -> None:
        try:
            await self._client.create(k8s.EVENTS, event, event["metadata"]["namespace"])
        except k8s.Forbidden as error:
            # The project is being deleted (with its Servers): nothing will show the Event anyway.
            terminating = "being terminated" in error.message
            (LOG.debug if terminating else LOG.warning)(
                "Event %s on %s not posted: %s", event["reason"], event["involvedObject"]["name"], error
            )
        except k8s.KubeError as error:
            LOG.warning(
                "Event %s on %s not posted: %s", event["reason"], event["involvedObject"]["name"], error
            )

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait (a bounded while) for the Events still being sent, e.g. at shutdown."""
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=timeout)
