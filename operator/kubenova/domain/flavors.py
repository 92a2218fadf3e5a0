"""Flavors as servers carry them: the embedded copy (Nova embeds the flavor at build time, so later
edits of the Flavor do not apply) and whether an image fits a flavor."""

from __future__ import annotations

from kubenova.resources.flavor import Flavor
from kubenova.resources.image import Image
from kubenova.resources.server import EmbeddedFlavor


def embed(flavor: Flavor) -> EmbeddedFlavor:
    """The flavor as embedded in a server built with it."""
    spec = flavor.spec
    return EmbeddedFlavor(
        id=flavor.flavor_id,
        name=flavor.display_name,
        vcpus=spec.vcpus,
        ram=spec.ram,
        disk=spec.disk,
        ephemeral=spec.ephemeral,
        swap=spec.swap,
        extra_specs=dict(spec.extra_specs),
    )


def image_fit_error(flavor: EmbeddedFlavor, image: Image) -> str | None:
    """Nova's refusal when the flavor is smaller than the image needs, else ``None``.

    A flavor whose root disk is 0 boots at the image's size, so only a sized disk can be too small.
    """
    if image.spec.min_ram and flavor.ram < image.spec.min_ram:
        return "Flavor's memory is too small for requested image."
    if image.spec.min_disk and flavor.disk and flavor.disk < image.spec.min_disk:
        return "Flavor's disk is too small for requested image."
    return None


def root_gb(flavor: EmbeddedFlavor, image: Image) -> int:
    """The root disk a server of ``flavor`` from ``image`` gets: the flavor's, or the image's
    minimum when the flavor has none (Nova's rule for ``disk: 0`` flavors)."""
    return flavor.disk or image.spec.min_disk


GIB = 1024**3
DEFAULT_ROOT_DISK_BYTES = GIB
"""A persistent root disk needs a size: for a ``disk: 0`` flavor and an image that states neither
``minDisk`` nor ``virtualSize``, 1 GiB (CDI's importer refuses a disk smaller than the image)."""


def root_disk_bytes(flavor: EmbeddedFlavor, image: Image) -> int:
    """The size of a server's persistent root disk, as Nova's libvirt driver sizes it: the flavor's
    root disk, or for a ``disk: 0`` flavor the image's virtual size (at least its ``minDisk``)."""
    if flavor.disk:
        return flavor.disk * GIB
    wanted = max(image.spec.min_disk * GIB, image.spec.virtual_size or 0)
    return wanted or DEFAULT_ROOT_DISK_BYTES


def root_disk_error(flavor: EmbeddedFlavor, image: Image) -> str | None:
    """Nova's build failure (libvirt's FlavorDiskSmallerThanImage) when the image's virtual size does
    not fit the flavor's root disk; a ``disk: 0`` flavor takes the image's size and always fits."""
    size = image.spec.virtual_size or 0
    if flavor.disk and size > flavor.disk * GIB:
        return (
            "Flavor's disk is too small for requested image. "
            f"Flavor disk is {flavor.disk * GIB} bytes, image is {size} bytes."
        )
    return None
