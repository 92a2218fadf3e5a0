"""Per-project quota limits (their storage; usage and the check are ``compute.quotas``').

Storage: one ConfigMap, ``kubenova-quotas`` in the gateway's own namespace (the identity
namespace, ``kubenova-system`` by default), with one data key per overridden limit::

    data:
      3c1e0f...9a.instances: "20"      # <project id>.<resource>: limit (-1 = unlimited)
      3c1e0f...9a.cores: "64"

Only values an admin set are stored; everything else is the configured default
(``Settings.quotas``, Nova's ``[quota]`` defaults). One key per (project, resource) makes an
update a plain merge patch: concurrent updates of different limits never overwrite each other,
and the last writer of the same limit wins, as in Nova. Every replica watches the ConfigMap, so
the gateway itself stays stateless. ``kubectl edit configmap -n kubenova-system kubenova-quotas``
works too.

Usage is never stored: ``compute.quotas`` counts it from the Server cache when asked.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kubernetes import client

from kubenova_api import errors
from kubenova_api.settings import QuotaDefaults
from kubenova_api.store.custom_resources import call_api
from kubenova_api.store.informer import Informer

CONFIGMAP = "kubenova-quotas"

# Nova's quota resources and, for those not in ``QuotaDefaults``, Nova's own defaults. The
# network and personality ones are shown (and may be set) only at the microversions that still
# have them; kubenova enforces none of those.
LEGACY_DEFAULTS: dict[str, int] = {
    "fixed_ips": -1,
    "floating_ips": 10,
    "security_groups": 10,
    "security_group_rules": 20,
    "injected_files": 5,
    "injected_file_content_bytes": 10240,
    "injected_file_path_bytes": 255,
}
RESOURCES: tuple[str, ...] = (*QuotaDefaults.model_fields, *LEGACY_DEFAULTS)

_SET_RETRIES = 5


@dataclass(frozen=True)
class QuotaData:
    """The ConfigMap's data, parsed: ``{project_id: {resource: limit}}``."""

    resource_version: str
    overrides: dict[str, dict[str, int]] = field(default_factory=dict)


def _parse(obj: dict[str, Any]) -> QuotaData:
    overrides: dict[str, dict[str, int]] = {}
    for key, value in (obj.get("data") or {}).items():
        project_id, _, resource = str(key).rpartition(".")
        if not project_id or resource not in RESOURCES:
            continue
        try:
            overrides.setdefault(project_id, {})[resource] = int(value)
        except (TypeError, ValueError):
            continue  # a hand-edited value that is not a number: the default applies
    return QuotaData(str((obj.get("metadata") or {}).get("resourceVersion") or ""), overrides)


def _key(project_id: str, resource: str) -> str:
    return f"{project_id}.{resource}"


def defaults(settings_defaults: QuotaDefaults) -> dict[str, int]:
    """Every resource's default limit."""
    return {**settings_defaults.model_dump(), **LEGACY_DEFAULTS}


class QuotaStore:
    """Limits of projects (ConfigMap cache)."""

    def __init__(self, api_client: client.ApiClient, namespace: str) -> None:
        self.namespace = namespace
        self._core = client.CoreV1Api(api_client)
        list_call = functools.partial(
            self._core.list_namespaced_config_map, namespace, field_selector=f"metadata.name={CONFIGMAP}"
        )
        self.informer: Informer[QuotaData] = Informer(f"configmap/{CONFIGMAP}", list_call, _parse)

    # -- limits ---------------------------------------------------------------------------------
    def overrides(self, project_id: str) -> dict[str, int]:
        """The limits an admin set for the project (the rest are defaults)."""
        data = self.informer.get(CONFIGMAP, self.namespace)
        return dict(data.overrides.get(project_id, {})) if data else {}

    def limits(self, project_id: str, settings_defaults: QuotaDefaults) -> dict[str, int]:
        """Every resource's effective limit for the project."""
        return {**defaults(settings_defaults), **self.overrides(project_id)}

    async def update(self, project_id: str, values: Mapping[str, int]) -> None:
        """Set limits (merge: limits not named keep their value)."""
        data: dict[str, str | None] = {_key(project_id, r): str(limit) for r, limit in values.items()}
        if data:
            await self._merge(data)

    async def reset(self, project_id: str) -> None:
        """Forget every limit set for the project, so the defaults apply again.

        The keys to remove come from the cache, so the patch is guarded by the resourceVersion it
        was read at; a concurrent update makes it retry with the fresh keys.
        """
        for _ in range(_SET_RETRIES):
            current = await self._read()
            if current is None:
                return
            keys = [_key(project_id, r) for r in current.overrides.get(project_id, {})]
            if not keys:
                return
            patch = {
                "metadata": {"resourceVersion": current.resource_version},
                "data": dict.fromkeys(keys),
            }
            try:
                await self._patch(patch)
                return
            except errors.ConflictError:
                continue
        raise errors.ConflictError("The quotas were being changed concurrently; retry the request.")

    # -- the ConfigMap --------------------------------------------------------------------------
    async def _merge(self, data: dict[str, str | None]) -> None:
        try:
            await self._patch({"data": data})
        except errors.NotFoundError:
            try:
                await self._create(data)
            except errors.AlreadyExistsError:  # another replica created it meanwhile
                await self._patch({"data": data})

    async def _read(self) -> QuotaData | None:
        try:
            raw = await call_api(f"ConfigMap {CONFIGMAP}", self._raw, "read", None)
        except errors.NotFoundError:
            return None
        return self._remember(raw)

    async def _patch(self, body: dict[str, Any]) -> QuotaData:
        raw = await call_api(f"ConfigMap {CONFIGMAP}", self._raw, "patch", body)
        return self._remember(raw)

    async def _create(self, data: dict[str, str | None]) -> QuotaData:
        body = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": CONFIGMAP,
                "namespace": self.namespace,
                "labels": {"app.kubernetes.io/part-of": "kubenova"},
            },
            "data": {k: v for k, v in data.items() if v is not None},
        }
        raw = await call_api(f"ConfigMap {CONFIGMAP}", self._raw, "create", body)
        return self._remember(raw)

    def _raw(self, verb: str, body: Any) -> dict[str, Any]:
        response: Any
        if verb == "read":
            response = self._core.read_namespaced_config_map(
                CONFIGMAP, self.namespace, _preload_content=False
            )
        elif verb == "create":
            response = self._core.create_namespaced_config_map(self.namespace, body, _preload_content=False)
        else:
            response = self._core.patch_namespaced_config_map(
                CONFIGMAP,
                self.namespace,
                body,
                _preload_content=False,
                _content_type="application/merge-patch+json",
            )
        result: dict[str, Any] = json.loads(response.data)
        return result

    def _remember(self, raw: dict[str, Any]) -> QuotaData:
        cached = self.informer.record_write(raw)
        return cached if cached is not None else _parse(raw)
