"""Nova's version documents (served without a token; clients discover microversions here)."""

from __future__ import annotations

from typing import Any

from kubenova_api import microversions
from kubenova_api.urls import COMPUTE_VERSION, PublicUrls

UPDATED = "2013-07-23T11:33:21Z"
MEDIA_TYPES = [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}]


def _self(urls: PublicUrls, path: str = "") -> str:
    return urls.compute(path) if path else urls.compute() + "/"


def version_entry(urls: PublicUrls) -> dict[str, Any]:
    return {
        "id": COMPUTE_VERSION,
        "status": "CURRENT",
        "version": str(microversions.MAX_VERSION),
        "min_version": str(microversions.MIN_VERSION),
        "updated": UPDATED,
        "links": [{"rel": "self", "href": _self(urls)}],
    }


def versions(urls: PublicUrls) -> dict[str, Any]:
    return {"versions": [version_entry(urls)]}


def version(urls: PublicUrls) -> dict[str, Any]:
    entry = version_entry(urls)
    entry["links"].append({"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"})
    entry["media-types"] = MEDIA_TYPES
    return {"version": entry}


def choices(urls: PublicUrls, path: str) -> dict[str, Any]:
    return {
        "choices": [
            {
                "id": COMPUTE_VERSION,
                "status": "CURRENT",
                "links": [{"rel": "self", "href": _self(urls, path)}],
                "media-types": MEDIA_TYPES,
            }
        ]
    }
