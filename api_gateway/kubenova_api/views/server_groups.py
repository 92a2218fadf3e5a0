"""Server group representation per microversion (Nova's ``_format_server_group``): ``policies``
and an empty ``metadata`` before 2.64, ``policy`` and ``rules`` from 2.64; ``project_id`` and
``user_id`` from 2.13."""

from __future__ import annotations

from typing import Any

from kubenova.resources import ServerGroup
from kubenova_api.microversions import APIVersion


def server_group(
    group: ServerGroup, members: list[str], project_id: str, version: APIVersion
) -> dict[str, Any]:
    body: dict[str, Any] = {"id": group.group_id, "name": group.spec.name}
    if version >= "2.64":
        body["policy"] = group.spec.policy.value
        limit = group.spec.rules.max_server_per_host
        body["rules"] = {"max_server_per_host": limit} if limit is not None else {}
    else:
        body["policies"] = [group.spec.policy.value]
        body["metadata"] = {}
    body["members"] = members
    if version >= "2.13":
        body["project_id"] = project_id
        body["user_id"] = group.spec.user_id or ""
    return body
