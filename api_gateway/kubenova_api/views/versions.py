"""Nova's version documents (served without a token; clients discover microversions here).

Two endpoints, listed in Nova's order (sorted by id): ``v2.0``, the legacy endpoint (the v2.1
code in v2.0 compatibility; Nova marks it DEPRECATED since 2025.2), and ``v2.1`` (CURRENT, with
the microversion range).
"""

from __future__ import annotations

from typing import Any

from kubenova_api import microversions
from kubenova_api.urls import COMPUTE_LEGACY_VERSION, COMPUTE_VERSION, PublicUrls

DESCRIBED_BY = {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}
# id → (endpoint path, status, version, min_version, updated, media type version)
VERSIONS: dict[str, tuple[str, str, str, str, str, str]] = {
    "v2.0": (COMPUTE_LEGACY_VERSION, "DEPRECATED", "", "", "2025-07-04T12:00:00Z", "2"),
    "v2.1": (
        COMPUTE_VERSION,
        "CURRENT",
        str(microversions.MAX_VERSION),
        str(microversions.MIN_VERSION),
        "2013-07-23T11:33:21Z",
        "2.1",
    ),
}


def _media_types(version_id: str) -> list[dict[str, str]]:
    return [
        {
            "base": "application/json",
            "type": f"application/vnd.openstack.compute+json;version={VERSIONS[version_id][5]}",
        }
    ]


def version_entry(urls: PublicUrls, version_id: str) -> dict[str, Any]:
    path, status, version, min_version, updated, _ = VERSIONS[version_id]
    return {
        "id": version_id,
        "status": status,
        "version": version,
        "min_version": min_version,
        "updated": updated,
        "links": [{"rel": "self", "href": urls.compute_endpoint(path)}],
    }


def versions(urls: PublicUrls) -> dict[str, Any]:
    return {"versions": [version_entry(urls, version_id) for version_id in sorted(VERSIONS)]}


def version(urls: PublicUrls, *, legacy: bool = False) -> dict[str, Any]:
    """The document of the endpoint the request came in on (``GET /v2.1/``, ``GET /v2/``)."""
    entry = version_entry(urls, "v2.0" if legacy else "v2.1")
    entry["links"].append(dict(DESCRIBED_BY))
    entry["media-types"] = _media_types(entry["id"])
    return {"version": entry}


def choices(urls: PublicUrls, path: str) -> dict[str, Any]:
    """300 Multiple Choices for a path outside both endpoints: it under each of them."""
    return {
        "choices": [
            {
                "id": version_id,
                "status": VERSIONS[version_id][1],
                "links": [{"rel": "self", "href": urls.compute_endpoint(VERSIONS[version_id][0]) + path}],
                "media-types": _media_types(version_id),
            }
            for version_id in sorted(VERSIONS)
        ]
    }
