"""Deleted-server records (``ServerRecord``, written and expired by the operator), read from a
watch cache: shown as the deleted servers Nova shows (``domain.server_records.as_server``)."""

from __future__ import annotations

from kubenova import k8s
from kubenova.domain import server_records
from kubenova.resources import Server, ServerRecord
from kubenova_api.store.custom_resources import CustomResourceStore


class ServerRecordStore(CustomResourceStore[ServerRecord]):
    """Records across all project namespaces; the gateway only reads them."""

    def __init__(self, kube: k8s.Client) -> None:
        super().__init__(kube, ServerRecord)

    def find(self, server_id: str) -> ServerRecord | None:
        """The record of the deleted server ``server_id``, in any namespace."""
        name = server_records.record_name(server_id)
        return next((r for r in self.list() if r.metadata.name == name), None)

    def deleted_servers(self, namespaces: set[str] | None) -> list[Server]:
        """The deleted servers of these namespaces (all when ``None``), as Servers."""
        return [
            server_records.as_server(r)
            for r in self.list()
            if namespaces is None or r.metadata.namespace in namespaces
        ]

    def deleted_server(self, server_id: str) -> Server | None:
        record = self.find(server_id)
        return server_records.as_server(record) if record is not None else None

    def terminated_at(self, server_id: str) -> str | None:
        record = self.find(server_id)
        return record.spec.terminated_at if record is not None else None
