"""ServerGroup CRs (namespaced: the namespace is the project), read from a watch cache.

The Nova id is the object's uid; objects the gateway creates are named with ``generateName``.
Members are not stored on the group (``kubenova.domain.server_groups``).
"""

from __future__ import annotations

from kubenova import k8s
from kubenova.resources import ServerGroup
from kubenova.resources.server_group import ServerGroupSpec
from kubenova_api.store.custom_resources import CustomResourceStore


class ServerGroupStore(CustomResourceStore[ServerGroup]):
    """Server groups across all project namespaces."""

    def __init__(self, kube: k8s.Client) -> None:
        super().__init__(kube, ServerGroup)

    def find(self, group_id: str) -> ServerGroup | None:
        """The group with Nova id ``group_id``, in any namespace."""
        return next((g for g in self.list() if g.group_id == group_id), None)

    async def create_in(
        self, namespace: str, spec: ServerGroupSpec, annotations: dict[str, str]
    ) -> ServerGroup:
        body = ServerGroup.body("", spec, namespace=namespace)
        del body["metadata"]["name"]
        body["metadata"]["generateName"] = "sg-"
        body["metadata"]["annotations"] = annotations
        return await self.create(body, what=f"Server group {spec.name}")

    async def remove(self, group: ServerGroup) -> None:
        await self.delete(group, what=f"Instance group {group.group_id}")
