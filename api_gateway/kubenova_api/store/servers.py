"""Server CRs: lookup by Nova id, creates, and spec writes that survive races. I/O only: what a
server's state is (``kubenova.domain.pending``) and what a request may change
(``kubenova.domain.actions``) are decided by ``kubenova_api.compute``.

Identity: the Nova server id is ``metadata.uid``, the project is the namespace, the display name
is ``spec.name``; ``metadata.name`` is generated (``generateName``) because Nova names need not be
unique or DNS-safe.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kubenova import k8s
from kubenova.resources import GROUP, VERSION, Server
from kubenova_api.store.custom_resources import CustomResourceStore

# ----- the store ----------------------------------------------------------------------------------

PatchBuilder = Callable[[Server], dict[str, Any]]


class ServerStore(CustomResourceStore[Server]):
    """Servers across all project namespaces, by Nova id; spec writes that survive races.

    ``modify(server, build)`` (inherited) merge-patches ``build(server)`` conditional on the version
    ``build`` saw: ``build`` may read the server (the action log, the current tags) to compute the
    patch; a concurrent write (often the operator's status update) makes the API server refuse it,
    and it is computed again from the server as stored now.
    """

    def __init__(self, kube: k8s.Client) -> None:
        super().__init__(kube, Server)

    def describe(self, obj: Server) -> str:
        return f"Instance {obj.server_id}"

    def find(self, server_id: str) -> Server | None:
        """The server whose Nova id (uid) is ``server_id``, in any namespace."""
        return next((s for s in self.list() if s.metadata.uid == server_id), None)

    def in_namespaces(self, namespaces: set[str] | None) -> list[Server]:
        """Servers of these namespaces (all when ``None``), in cache order; one namespace (a
        project's list) is read from the cache's namespace index, not found among all Servers."""
        if namespaces is not None and len(namespaces) == 1:
            return self.list(next(iter(namespaces)))
        servers = self.list()
        return servers if namespaces is None else [s for s in servers if s.metadata.namespace in namespaces]

    async def create_server(
        self,
        *,
        namespace: str,
        generate_name: str,
        spec: Mapping[str, Any],
        annotations: Mapping[str, str],
        finalizers: Sequence[str] = (),
    ) -> Server:
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": Server.crd.kind,
            "metadata": {
                "generateName": generate_name,
                "namespace": namespace,
                "annotations": dict(annotations),
                "finalizers": list(finalizers),
            },
            "spec": dict(spec),
        }
        return await self.create(body, what=f"Server in project namespace {namespace}")

    async def fetch(self, server: Server) -> Server | None:
        """The server as stored now (not the cache), or ``None`` once it is gone."""
        return await self.read(server, what=self.describe(server))

    async def delete_server(self, server: Server) -> None:
        await self.delete(server, what=self.describe(server))
