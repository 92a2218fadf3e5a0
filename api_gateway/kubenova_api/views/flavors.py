"""Flavor representations per microversion: ``description`` from 2.55, ``extra_specs`` from
2.61 (for callers the policy lets read them), ``swap`` 0 instead of "" from 2.75, and from 2.102
without the deprecated ``rxtx_factor`` and ``OS-FLV-DISABLED:disabled``."""

from __future__ import annotations

from typing import Any

from kubenova.resources import Flavor
from kubenova_api.microversions import APIVersion
from kubenova_api.urls import PublicUrls

COLLECTION = "flavors"


def _swap(flavor: Flavor, version: APIVersion) -> int | str:
    # Before 2.75 Nova rendered an unset swap as "" (an artefact of its database default).
    if flavor.spec.swap == 0 and version < "2.75":
        return ""
    return flavor.spec.swap


def basic(flavor: Flavor, version: APIVersion, urls: PublicUrls) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": flavor.flavor_id,
        "name": flavor.display_name,
        "links": urls.self_and_bookmark(COLLECTION, flavor.flavor_id),
    }
    if version >= "2.55":
        body["description"] = flavor.spec.description
    return body


def detail(
    flavor: Flavor, version: APIVersion, urls: PublicUrls, *, show_extra_specs: bool
) -> dict[str, Any]:
    spec = flavor.spec
    body = basic(flavor, version, urls)
    body.update(
        {
            "ram": spec.ram,
            "disk": spec.disk,
            "vcpus": spec.vcpus,
            "swap": _swap(flavor, version),
            "OS-FLV-EXT-DATA:ephemeral": spec.ephemeral,
            "OS-FLV-DISABLED:disabled": False,
            "os-flavor-access:is_public": spec.is_public,
            "rxtx_factor": spec.rxtx_factor,
        }
    )
    if version >= "2.102":
        del body["OS-FLV-DISABLED:disabled"]
        del body["rxtx_factor"]
    if version >= "2.61" and show_extra_specs:
        body["extra_specs"] = dict(spec.extra_specs)
    return body


def access_list(flavor: Flavor) -> dict[str, Any]:
    return {"flavor_access": [{"flavor_id": flavor.flavor_id, "tenant_id": p} for p in flavor.spec.projects]}
