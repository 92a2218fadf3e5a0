"""Nova's image proxy API (``/images``, microversions 2.1-2.35; ``/images/{id}/metadata`` to
2.38): what Nova asks Glance, answered from the Image watch cache.

Listing takes Nova's filters (``name``, ``status``, ``changes-since``, ``server``, ``type``,
``minRam``, ``minDisk``, ``property-<key>``) in Glance's order (newest first). Nova calls Glance
with the caller's token, so Glance's rules apply: an image the caller cannot see is not found
(404); changing or deleting one needs an admin or the owning project (403 otherwise, Nova's
``ImageNotAuthorized``), and a protected image is not deleted (403). Metadata writes count all the
image's properties against the ``metadata_items`` quota (403, as Nova's
``check_img_metadata_properties_quota``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from starlette.datastructures import QueryParams

from kubenova.domain import image_status
from kubenova.resources import Image
from kubenova_api import errors
from kubenova_api.compute.access import image_visible
from kubenova_api.context import RequestContext
from kubenova_api.settings import Settings
from kubenova_api.store import Store

PROXY_LAST_VERSION = "2.35"
METADATA_LAST_VERSION = "2.38"

Change = Callable[[Mapping[str, str]], dict[str, str]]
"""Current properties → new properties (may raise to refuse)."""


def not_found() -> errors.NotFoundError:
    return errors.NotFoundError("Image not found.")


def missing_key() -> errors.NotFoundError:
    return errors.NotFoundError("Invalid metadata key")


def _timestamp(raw: str, what: str) -> datetime:
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise errors.BadRequestError(f"Invalid {what} value: {raw}") from None


def _at_least(raw: str, what: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise errors.BadRequestError(f"Invalid {what} value: {raw}") from None


def _matcher(query: QueryParams) -> Callable[[Image], bool]:
    """Nova's ``_get_filters`` as Glance applies them."""
    checks: list[Callable[[Image], bool]] = []
    if (name := query.get("name")) is not None:
        checks.append(lambda img: img.display_name == name)
    if (status := query.get("status")) is not None:
        checks.append(lambda img: image_status.glance_status(img) == status.lower())
    if (since := query.get("changes-since")) is not None:
        start = _timestamp(since, "changes-since")
        checks.append(
            lambda img: (
                img.metadata.creation_timestamp is not None
                and _timestamp(img.metadata.creation_timestamp, "created_at") >= start
            )
        )
    properties: dict[str, str] = {
        key[len("property-") :]: value for key, value in query.items() if key.startswith("property-")
    }
    if (server := query.get("server")) is not None:
        properties["instance_uuid"] = server.rsplit("/", 1)[-1]
    if (kind := query.get("type")) is not None:
        properties["image_type"] = kind
    if properties:
        checks.append(lambda img: all(img.spec.properties.get(k) == v for k, v in properties.items()))
    if (min_ram := query.get("minRam")) is not None:
        ram = _at_least(min_ram, "minRam")
        checks.append(lambda img: img.spec.min_ram >= ram)
    if (min_disk := query.get("minDisk")) is not None:
        disk = _at_least(min_disk, "minDisk")
        checks.append(lambda img: img.spec.min_disk >= disk)
    return lambda img: all(check(img) for check in checks)


def listed(store: Store, ctx: RequestContext, query: QueryParams) -> list[Image]:
    """The images the caller sees that match the query's filters, newest first."""
    matches = _matcher(query)
    images = [img for img in store.images.all() if image_visible(ctx, img) and matches(img)]
    images.sort(key=lambda img: (img.metadata.creation_timestamp or "", img.image_id), reverse=True)
    return images


def visible(store: Store, ctx: RequestContext, image_id: str) -> Image:
    image = store.images.find(image_id)
    if image is None or not image_visible(ctx, image):
        raise not_found()
    return image


def _may_change(ctx: RequestContext, image: Image) -> bool:
    """Glance's ``modify_image``/``delete_image``: admins, and the owning project."""
    return ctx.is_admin or (image.spec.owner is not None and image.spec.owner == ctx.project_id)


async def delete(store: Store, ctx: RequestContext, image_id: str) -> None:
    image = visible(store, ctx, image_id)
    if not _may_change(ctx, image) or image.spec.protected:
        raise errors.ForbiddenError("You are not allowed to delete the image.")
    await store.images.delete(image)


async def write_properties(
    store: Store, settings: Settings, ctx: RequestContext, image_id: str, change: Change
) -> dict[str, str]:
    """Apply ``change`` to the image's properties as one conditional patch; the properties after."""
    image = visible(store, ctx, image_id)

    def build(current: Image) -> dict[str, Any]:
        if not _may_change(ctx, current):
            raise errors.ForbiddenError(f"Not authorized for image {image_id}.")
        old = current.spec.properties
        new = change(old)
        limit = store.quotas.limits(ctx.project_id or "", settings.quotas)["metadata_items"]
        if new and 0 <= limit < len(new):
            raise errors.ForbiddenError("Image metadata limit exceeded")
        patch: dict[str, str | None] = {key: None for key in old if key not in new}
        patch.update({key: value for key, value in new.items() if old.get(key) != value})
        return {"spec": {"properties": patch}}

    build(image)  # refuse from the cache before writing anything
    updated = await store.images.modify(image, build)
    return dict(updated.spec.properties)


def without(key: str) -> Change:
    def change(old: Mapping[str, str]) -> dict[str, str]:
        if key not in old:
            raise missing_key()
        return {k: v for k, v in old.items() if k != key}

    return change
