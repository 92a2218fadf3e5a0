"""The quota limits the operator enforces, read from where the gateway keeps them.

Two small watch caches (``kubenova.k8s.Informer``, not kopf: one named ConfigMap in one namespace
and the project Namespaces, neither of which has a handler):

- the ConfigMap ``kubenova-quotas`` in the identity namespace (``KUBENOVA_IDENTITY_NAMESPACE``),
  listed with a ``metadata.name`` field selector, so the operator's Role may name that one object;
- the Namespaces labelled ``compute.kubenova.io/project-id`` (the identity bootstrap labels each
  project's namespace with its Keystone project id).

A namespace without that label is not a Nova project: it has no Nova quota (Kubernetes'
ResourceQuota/RBAC are its limits). Until both caches have synced, ``limits`` answers
``NotReady`` and the operator waits instead of deciding on a partial picture.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from kubenova import k8s
from kubenova.domain import names, quotas

LOG = logging.getLogger(__name__)


class NotReady(Exception):  # noqa: N818 - a state, not an error
    """The quota caches have not synced yet."""


def _project_id(obj: dict[str, Any]) -> str:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return str(labels.get(names.PROJECT_ID_LABEL) or "")


def _stored(obj: dict[str, Any]) -> quotas.StoredLimits:
    stored = quotas.parse(obj.get("data"), quotas.SERVER_RESOURCES)
    version = str((obj.get("metadata") or {}).get("resourceVersion") or "")
    return quotas.StoredLimits(stored.overrides, stored.classes, version)


def _changed(_: quotas.StoredLimits | None, new: quotas.StoredLimits | None) -> None:
    LOG.info("Quota limits now at resourceVersion %s", new.resource_version if new else "(none)")


class QuotaLimits:
    """Per-namespace limits of instances, cores and RAM (None: not a project, no quota)."""

    def __init__(self, source: k8s.Transport, namespace: str, defaults: dict[str, int]) -> None:
        self._defaults = dict(defaults)
        self._namespace = namespace
        self._stop = threading.Event()
        self.config = k8s.Informer(
            source,
            k8s.CONFIG_MAPS,
            _stored,
            handler=_changed,
            namespace=namespace,
            field_selector=f"metadata.name={quotas.CONFIGMAP}",
            name=f"configmap/{quotas.CONFIGMAP}",
        )
        self.projects = k8s.Informer(
            source, k8s.NAMESPACES, _project_id, label_selector=names.PROJECT_ID_LABEL, name="projects"
        )

    def start(self) -> None:
        self.config.start(self._stop)
        self.projects.start(self._stop)

    def stop(self) -> None:
        self.config.stop()
        self.projects.stop()

    def wait_synced(self, timeout: float) -> bool:
        return self.config.wait_synced(timeout) and self.projects.wait_synced(timeout)

    @property
    def synced(self) -> bool:
        return self.config.synced and self.projects.synced

    def limits(self, namespace: str) -> dict[str, int] | None:
        """The limits of the project whose servers live in ``namespace``; None if it is none."""
        if not self.synced:
            raise NotReady(namespace)
        project_id = self.projects.get(namespace)
        if not project_id:
            return None
        stored = self.config.get(quotas.CONFIGMAP, self._namespace) or quotas.StoredLimits()
        return stored.project_limits(project_id, self._defaults)
