"""Image CRs by Glance id (``metadata.uid``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kubenova.resources import Image
from kubenova_api.store.custom_resources import CustomResourceStore


class ImageStore:
    """Glance view over the cluster-scoped Image kind; the writes are Nova's image proxy API's
    (property changes and deletion; createImage creates through ``crs``)."""

    def __init__(self, crs: CustomResourceStore[Image]) -> None:
        self.crs = crs

    def all(self) -> list[Image]:
        return self.crs.list()

    def find(self, image_id: str) -> Image | None:
        """By Glance id only: a name in an id position is not found, as in Glance."""
        return next((image for image in self.crs.list() if image.metadata.uid == image_id), None)

    def find_by_object_name(self, name: str) -> Image | None:
        """By ``metadata.name`` (how ``Server.spec.image`` refers to an image)."""
        return self.crs.get(name)

    async def modify(self, image: Image, build: Callable[[Image], Mapping[str, Any] | None]) -> Image:
        """Conditional merge-patch of ``build(current)`` (``CustomResourceStore.modify``)."""
        return await self.crs.modify(image, build, what=f"image {image.image_id}")

    async def delete(self, image: Image) -> None:
        """Delete that very object (its version: 409 if it changed meanwhile)."""
        await self.crs.delete(
            image, what=f"image {image.image_id}", resource_version=image.metadata.resource_version
        )
