"""``/limits`` representation: Nova's absolute limits from the quota set, and the project's usage.

The names are Nova's (``maxTotalInstances`` ← ``instances``, ...). Like the quota sets, the
network limits go at 2.36 and the personality ones at 2.57; ``maxImageMeta`` (an image proxy
limit) goes at 2.39. ``rate`` is always empty: Nova does no rate limiting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubenova_api.microversions import APIVersion

# Nova quota resource → the absolute limit names it is shown as.
LIMIT_NAMES: dict[str, tuple[str, ...]] = {
    "ram": ("maxTotalRAMSize",),
    "instances": ("maxTotalInstances",),
    "cores": ("maxTotalCores",),
    "key_pairs": ("maxTotalKeypairs",),
    "floating_ips": ("maxTotalFloatingIps",),
    "metadata_items": ("maxServerMeta", "maxImageMeta"),
    "injected_files": ("maxPersonality",),
    "injected_file_content_bytes": ("maxPersonalitySize",),
    "security_groups": ("maxSecurityGroups",),
    "security_group_rules": ("maxSecurityGroupRules",),
    "server_groups": ("maxServerGroups",),
    "server_group_members": ("maxServerGroupMembers",),
}
# The "used" figures and the resource each counts.
USED_NAMES: dict[str, str] = {
    "totalRAMUsed": "ram",
    "totalCoresUsed": "cores",
    "totalInstancesUsed": "instances",
    "totalFloatingIpsUsed": "floating_ips",
    "totalSecurityGroupsUsed": "security_groups",
    "totalServerGroupsUsed": "server_groups",
}
_NETWORK = frozenset({"floating_ips", "security_groups", "security_group_rules"})
_PERSONALITY = frozenset({"injected_files", "injected_file_content_bytes"})


def _hidden(version: APIVersion) -> frozenset[str]:
    hidden: frozenset[str] = frozenset()
    if version >= "2.36":
        hidden |= _NETWORK
    if version >= "2.57":
        hidden |= _PERSONALITY
    return hidden


def limits(
    limits_by_resource: Mapping[str, int], in_use: Mapping[str, int], version: APIVersion
) -> dict[str, Any]:
    hidden = _hidden(version)
    absolute: dict[str, int] = {}
    for resource, names in LIMIT_NAMES.items():
        if resource in hidden:
            continue
        for name in names:
            if name == "maxImageMeta" and version >= "2.39":
                continue
            absolute[name] = limits_by_resource[resource]
    for name, resource in USED_NAMES.items():
        if resource not in hidden:
            absolute[name] = in_use.get(resource, 0)
    return {"limits": {"rate": [], "absolute": absolute}}
