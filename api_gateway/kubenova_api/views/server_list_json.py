"""The body of ``GET /servers/detail`` as bytes, from list items encoded once per Server and inputs.

``views.servers.detail(server, refs, opts)`` reads nothing but its arguments (and pure formatters
of them: no clock, no other object): the Server (one cached version, never changed in place),
``refs`` (project, flavor, image, host status, groups: resolved anew by every request) and
``opts`` (microversion, public URLs, admin, and the extra specs / extended attributes / host
status policy answers). Its JSON is therefore kept per Server object (``server_memo.view``) under
the key of every other input: ``opts`` whole (a frozen dataclass of hashable values), the
``show_server_groups``/``minimal`` flags, and ``refs`` by value (``refs_key``). When a referenced
Flavor, Image, Node or group changes, ``refs`` and so the key change, and the item is rendered
again; when the Server changes, its new version has an empty memo.

The body is the items joined as pydantic-core's compact encoder joins them, so it is the same bytes
``FastJSONResponse(views.collection(items, links))`` answers
(``tests/unit/gateway/test_server_list_json.py`` holds it to that).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import pydantic_core

from kubenova.resources import Server
from kubenova.resources.server import EmbeddedFlavor
from kubenova_api import server_memo
from kubenova_api.views import servers as views

_EMBEDDED = "embedded"
"""``refs_key``'s flavor part when the flavor is the Server's own (part of the memoized object)."""


def _flavor_key(server: Server, flavor: EmbeddedFlavor | None) -> Hashable:
    if flavor is None:
        return None
    if flavor is server.status.flavor:
        return _EMBEDDED
    return tuple(_frozen(getattr(flavor, name)) for name in EmbeddedFlavor.model_fields)


def _frozen(value: Any) -> Hashable:
    return tuple(value.items()) if isinstance(value, dict) else value


def refs_key(server: Server, refs: views.ServerRefs) -> Hashable:
    """Every field of ``refs`` by value (dicts as their items in order: the order is rendered)."""
    return (
        refs.project_id,
        refs.flavor_id,
        _flavor_key(server, refs.flavor),
        refs.image_id,
        tuple(refs.image_properties.items()),
        refs.host_status,
        refs.server_groups,
    )


def detail_item(
    server: Server,
    refs: views.ServerRefs,
    opts: views.ViewOptions,
    *,
    show_server_groups: bool = False,
    minimal: bool = False,
) -> bytes:
    """``views.detail(...)`` encoded as JSON, rendered once per Server object and inputs."""
    key = (opts, show_server_groups, minimal, refs_key(server, refs))

    def render() -> bytes:
        body = views.detail(server, refs, opts, show_server_groups=show_server_groups, minimal=minimal)
        return pydantic_core.to_json(body)

    return server_memo.view(server, key, render)


def collection(items: list[bytes], next_links: list[dict[str, str]]) -> bytes:
    """``to_json(views.collection(...))`` of already encoded items."""
    parts = [b'{"servers":[', b",".join(items), b"]"]
    if next_links:
        parts += [b',"servers_links":', pydantic_core.to_json(next_links)]
    parts.append(b"}")
    return b"".join(parts)
