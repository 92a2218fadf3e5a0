"""Quota set representations: limits (show, defaults, update) and limits with usage (detail).

Which resources appear depends on the microversion, as in Nova: the network ones
(``fixed_ips``, ``floating_ips``, ``security_groups``, ``security_group_rules``) go at 2.36 and the
personality ones (``injected_files*``) at 2.57. Usage is counted for ``instances``, ``cores`` and
``ram``; the other resources show 0 in use (Nova counts key pairs per user, not per project, and
kubenova has no server groups or network quotas to count). Nothing is ever reserved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubenova_api.microversions import APIVersion

BASE_RESOURCES = (
    "instances",
    "cores",
    "ram",
    "key_pairs",
    "metadata_items",
    "server_groups",
    "server_group_members",
)
NETWORK_RESOURCES = ("fixed_ips", "floating_ips", "security_groups", "security_group_rules")
PERSONALITY_RESOURCES = ("injected_files", "injected_file_content_bytes", "injected_file_path_bytes")


def resources(version: APIVersion) -> tuple[str, ...]:
    """The quota resources that exist at ``version``."""
    names: tuple[str, ...] = BASE_RESOURCES
    if version < "2.36":
        names += NETWORK_RESOURCES
    if version < "2.57":
        names += PERSONALITY_RESOURCES
    return names


def quota_set(project_id: str | None, limits: Mapping[str, int], version: APIVersion) -> dict[str, Any]:
    """``{"quota_set": {...}}``; with ``project_id`` None (an update's answer) there is no ``id``."""
    body: dict[str, Any] = {name: limits[name] for name in resources(version)}
    if project_id is not None:
        body["id"] = project_id
    return {"quota_set": body}


def detail(
    project_id: str, limits: Mapping[str, int], in_use: Mapping[str, int], version: APIVersion
) -> dict[str, Any]:
    """``{"quota_set": {resource: {limit, in_use, reserved}, "id": ...}}``."""
    body: dict[str, Any] = {
        name: {"limit": limits[name], "in_use": in_use.get(name, 0), "reserved": 0}
        for name in resources(version)
    }
    body["id"] = project_id
    return {"quota_set": body}


def class_resources(version: APIVersion) -> tuple[str, ...]:
    """The resources a quota class shows at ``version`` (Nova's ``quota_classes.py``): server
    groups from 2.50, the network ones until 2.49, the personality ones until 2.56."""
    if version < "2.50":
        base = tuple(r for r in BASE_RESOURCES if not r.startswith("server_group"))
        return base + NETWORK_RESOURCES + PERSONALITY_RESOURCES
    if version < "2.57":
        return BASE_RESOURCES + PERSONALITY_RESOURCES
    return BASE_RESOURCES


def quota_class_set(
    quota_class: str | None, limits: Mapping[str, int], version: APIVersion
) -> dict[str, Any]:
    """``{"quota_class_set": {...}}``; an update's answer (``quota_class`` None) has no ``id``."""
    body: dict[str, Any] = {name: limits[name] for name in class_resources(version)}
    if quota_class is not None:
        body["id"] = quota_class
    return {"quota_class_set": body}
