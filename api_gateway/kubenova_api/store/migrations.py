"""Migration records (``Migration``, written by the operator), read from a watch cache."""

from __future__ import annotations

from kubenova import k8s
from kubenova.resources.migration import Migration
from kubenova_api.store.custom_resources import CustomResourceStore


class MigrationStore(CustomResourceStore[Migration]):
    """Migrations across all project namespaces; the gateway only reads them."""

    def __init__(self, kube: k8s.Client) -> None:
        super().__init__(kube, Migration)

    def of_server(self, server_id: str) -> list[Migration]:
        return [m for m in self.list() if m.spec.instance_uuid == server_id]
