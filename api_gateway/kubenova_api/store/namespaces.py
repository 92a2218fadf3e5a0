"""Project namespaces: each Keystone project's servers live in its own namespace."""

from __future__ import annotations

from kubernetes import client

from kubenova.domain import names
from kubenova_api import errors
from kubenova_api.store.custom_resources import call_api

PROJECT_ID_LABEL = names.PROJECT_ID_LABEL
PROJECT_NAME_ANNOTATION = names.PROJECT_NAME_ANNOTATION


class NamespaceStore:
    """Creates namespaces (bootstrap only; the gateway never deletes them)."""

    def __init__(self, api_client: client.ApiClient) -> None:
        self._core = client.CoreV1Api(api_client)

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
            await call_api(f"Namespace {name}", self._core.create_namespace, body)
        except errors.AlreadyExistsError:
            return False
        return True
