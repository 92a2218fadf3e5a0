"""Flavor CRs by Nova flavor id (``spec.id`` or ``metadata.name``)."""

from __future__ import annotations

from typing import Any

from kubenova.resources import Flavor
from kubenova.resources.flavor import FlavorSpec
from kubenova_api import errors
from kubenova_api.store import naming
from kubenova_api.store.custom_resources import CustomResourceStore


def _what(flavor_id: str) -> str:
    return f"Flavor {flavor_id}"


class FlavorStore:
    """Nova's view of flavors over the cluster-scoped Flavor kind."""

    def __init__(self, crs: CustomResourceStore[Flavor]) -> None:
        self.crs = crs

    def all(self) -> list[Flavor]:
        return self.crs.list()

    def find(self, flavor_id: str) -> Flavor | None:
        """The flavor whose Nova id is ``flavor_id`` (an id set in ``spec.id`` wins over a name)."""
        by_name = None
        for flavor in self.crs.list():
            if flavor.spec.id == flavor_id:
                return flavor
            if flavor.spec.id is None and flavor.metadata.name == flavor_id:
                by_name = flavor
        return by_name

    def get(self, flavor_id: str) -> Flavor:
        flavor = self.find(flavor_id)
        if flavor is None:
            raise errors.NotFoundError(f"Flavor {flavor_id} could not be found.")
        return flavor

    def find_by_name(self, name: str) -> Flavor | None:
        return next((f for f in self.crs.list() if f.display_name == name), None)

    async def create(self, spec: FlavorSpec) -> Flavor:
        """Create a flavor; ``spec.id`` must be set (the router assigns a UUID when absent)."""
        flavor_id = spec.id or ""
        name = flavor_id if naming.is_dns_subdomain(flavor_id) else naming.object_name("flavor", flavor_id)
        body = Flavor.body(name, spec)
        try:
            return await self.crs.create(body, what=_what(flavor_id))
        except errors.AlreadyExistsError:
            raise errors.AlreadyExistsError(f"Flavor with ID {flavor_id} already exists.") from None

    async def update_spec(self, flavor: Flavor, changes: dict[str, Any]) -> Flavor:
        """Merge-patch ``spec`` fields (camelCase keys; ``None`` removes a key)."""
        return await self.crs.patch(flavor, {"spec": changes}, what=_what(flavor.flavor_id))

    async def delete(self, flavor: Flavor) -> None:
        await self.crs.delete(flavor, what=_what(flavor.flavor_id))
