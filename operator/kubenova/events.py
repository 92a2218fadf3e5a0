"""Kubernetes Events on Servers: every Nova state change is announced where `kubectl describe`
shows it.

Events go through kopf's poster (batched, retried, never blocking a handler), so this works only
inside kopf's handlers, daemons and timers, which is where every state change happens.
"""

from __future__ import annotations

import kopf

from kubenova.resources.base import API_VERSION, CustomResource


def post(obj: CustomResource, *, reason: str, message: str, warning: bool = False) -> None:
    """Post a Normal (or Warning) Event about ``obj``."""
    reference = kopf.Body(
        {
            "apiVersion": API_VERSION,
            "kind": obj.crd.kind,
            "metadata": {
                "name": obj.metadata.name,
                "namespace": obj.metadata.namespace or "",
                "uid": obj.metadata.uid or "",
            },
        }
    )
    kopf.event(reference, type="Warning" if warning else "Normal", reason=reason, message=message[:1024])
