"""Image CRs by Glance id (``metadata.uid``)."""

from __future__ import annotations

from kubenova.resources import Image
from kubenova_api.store.custom_resources import CustomResourceStore


class ImageStore:
    """Read-only Glance view over the cluster-scoped Image kind."""

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
