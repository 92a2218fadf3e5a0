"""Per-project quota limits (their storage; usage and the check are ``compute.quotas``').

Storage: one ConfigMap, ``kubenova-quotas`` in the gateway's own namespace (the identity
namespace, ``kubenova-system`` by default), with one data key per overridden limit::

    data:
      3c1e0f...9a.instances: "20"      # <project id>.<resource>: limit (-1 = unlimited)
      3c1e0f...9a.cores: "64"

Only values an admin set are stored; everything else is the default: the ``default`` quota
class (``os-quota-class-sets/default``, keys ``quota-class.default.<resource>``) over the
configured defaults (``Settings.quotas``, Nova's ``[quota]`` defaults). Other quota classes are
stored the same way (``quota-class.<class>.<resource>``; a class name that is not made of
``[-_a-zA-Z0-9]`` is stored hex-encoded after an ``x``) and, as in Nova, affect no project.
One key per (project, resource) makes an update a plain merge patch: concurrent updates of
different limits never overwrite each other, and the last writer of the same limit wins, as in
Nova. Every replica watches the ConfigMap, so the gateway itself stays stateless.
``kubectl edit configmap -n kubenova-system kubenova-quotas`` works too.

Usage is never stored: ``compute.quotas`` counts it from the Server cache when asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kubenova import k8s
from kubenova.domain import quotas
from kubenova_api import errors
from kubenova_api.settings import QuotaDefaults
from kubenova_api.store.kube import Informer, call

CONFIGMAP = quotas.CONFIGMAP

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
_WHAT = f"ConfigMap {CONFIGMAP}"


CLASS_PREFIX = quotas.CLASS_PREFIX
DEFAULT_CLASS = quotas.DEFAULT_CLASS


@dataclass(frozen=True)
class QuotaData:
    """The ConfigMap's data, parsed: ``{project_id: {resource: limit}}`` and the same per class."""

    resource_version: str
    overrides: dict[str, dict[str, int]] = field(default_factory=dict)
    classes: dict[str, dict[str, int]] = field(default_factory=dict)


def _parse(obj: dict[str, Any]) -> QuotaData:
    stored = quotas.parse(obj.get("data"), RESOURCES)
    version = str((obj.get("metadata") or {}).get("resourceVersion") or "")
    return QuotaData(version, stored.overrides, stored.classes)


def _key(project_id: str, resource: str) -> str:
    return f"{project_id}.{resource}"


def _class_key(quota_class: str, resource: str) -> str:
    return f"{CLASS_PREFIX}{quotas.class_segment(quota_class)}.{resource}"


def defaults(settings_defaults: QuotaDefaults) -> dict[str, int]:
    """Every resource's configured default limit (before the ``default`` quota class)."""
    return {**settings_defaults.model_dump(), **LEGACY_DEFAULTS}


class QuotaStore:
    """Limits of projects (ConfigMap cache)."""

    def __init__(self, kube: k8s.Client, namespace: str) -> None:
        self.namespace = namespace
        self._kube = kube
        self.informer: Informer[QuotaData] = Informer(
            kube.transport,
            k8s.CONFIG_MAPS,
            _parse,
            namespace=namespace,
            field_selector=f"metadata.name={CONFIGMAP}",
            name=f"configmap/{CONFIGMAP}",
        )

    # -- limits ---------------------------------------------------------------------------------
    def overrides(self, project_id: str) -> dict[str, int]:
        """The limits an admin set for the project (the rest are defaults)."""
        data = self.informer.get(CONFIGMAP, self.namespace)
        return dict(data.overrides.get(project_id, {})) if data else {}

    def limits(self, project_id: str, settings_defaults: QuotaDefaults) -> dict[str, int]:
        """Every resource's effective limit for the project."""
        return {**self.defaults(settings_defaults), **self.overrides(project_id)}

    def defaults(self, settings_defaults: QuotaDefaults) -> dict[str, int]:
        """The limits of a project nobody set any for: the ``default`` class over the settings."""
        return self.class_limits(DEFAULT_CLASS, settings_defaults)

    def class_limits(self, quota_class: str, settings_defaults: QuotaDefaults) -> dict[str, int]:
        """A quota class's limits: its own values, else the ``default`` class's, else the
        configured defaults (Nova's ``get_class_quotas``)."""
        data = self.informer.get(CONFIGMAP, self.namespace)
        classes = data.classes if data else {}
        return {
            **defaults(settings_defaults),
            **classes.get(DEFAULT_CLASS, {}),
            **classes.get(quota_class, {}),
        }

    async def update_class(self, quota_class: str, values: Mapping[str, int]) -> None:
        """Set limits of a quota class (merge)."""
        data: dict[str, str | None] = {_class_key(quota_class, r): str(limit) for r, limit in values.items()}
        if data:
            await self._merge(data)

    async def update(self, project_id: str, values: Mapping[str, int]) -> None:
        """Set limits (merge: limits not named keep their value)."""
        data: dict[str, str | None] = {_key(project_id, r): str(limit) for r, limit in values.items()}
        if data:
            await self._merge(data)

    async def reset(self, project_id: str) -> None:
        """Forget every limit set for the project, so the defaults apply again.

        The keys to remove come from the ConfigMap as read, so the patch is guarded by the
        resourceVersion it was read at; a concurrent update makes it retry with the fresh keys.
        """

        def build(raw: dict[str, Any]) -> Mapping[str, Any] | None:
            keys = [_key(project_id, r) for r in _parse(raw).overrides.get(project_id, {})]
            return {"data": dict.fromkeys(keys)} if keys else None

        request = self._kube.modify(k8s.CONFIG_MAPS, CONFIGMAP, build, self.namespace)
        try:
            self._remember(await call(_WHAT, request))
        except errors.NotFoundError:
            return

    # -- the ConfigMap --------------------------------------------------------------------------
    async def _merge(self, data: dict[str, str | None]) -> None:
        try:
            await self._patch({"data": data})
        except errors.NotFoundError:
            try:
                await self._create(data)
            except errors.AlreadyExistsError:  # another replica created it meanwhile
                await self._patch({"data": data})

    async def _patch(self, body: dict[str, Any]) -> QuotaData:
        request = self._kube.merge_patch(k8s.CONFIG_MAPS, CONFIGMAP, body, self.namespace)
        return self._remember(await call(_WHAT, request))

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
        return self._remember(await call(_WHAT, self._kube.create(k8s.CONFIG_MAPS, body, self.namespace)))

    def _remember(self, raw: dict[str, Any]) -> QuotaData:
        cached = self.informer.record_write(raw)
        return cached if cached is not None else _parse(raw)
