"""Project namespaces: each Keystone project's servers live in its own namespace."""

from __future__ import annotations

from kubenova import k8s
from kubenova.domain import names
from kubenova_api import errors
from kubenova_api.store.kube import call

PROJECT_ID_LABEL = names.PROJECT_ID_LABEL
PROJECT_NAME_ANNOTATION = names.PROJECT_NAME_ANNOTATION


class NamespaceStore:
    """Creates namespaces (bootstrap only; the gateway never deletes them)."""

    def __init__(self, kube: k8s.Client) -> None:
        self._kube = kube

    async def ensure(
        self, name: str, *, project_id: str | None = None, project_name: str | None = None
    ) -> bool:
        """Create ``name`` if missing; True when it was created."""
        metadata: dict[str, object] = {"name": name}
        if project_id:
            metadata["labels"] = {PROJECT_ID_LABEL: project_id}
        if project_name:
            metadata["annotations"] = {PROJECT_NAME_ANNOTATION: project_name}
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata}
        try:
            await call(f"Namespace {name}", self._kube.create(k8s.NAMESPACES, body))
        except errors.AlreadyExistsError:
            return False
        return True
