"""The Secrets the gateway keeps its shared state in (identity config, token keys, revocations).

Each watched Secret gets its own informer (field-selected by name) so every replica sees edits
without restarting; writes are merge patches of ``data`` keys.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from kubenova import k8s
from kubenova_api import errors
from kubenova_api.store.kube import Informer, call


@dataclass(frozen=True)
class SecretData:
    """A Secret's decoded ``data`` plus the version it was read at."""

    name: str
    resource_version: str
    data: dict[str, bytes] = field(default_factory=dict)

    def text(self, key: str) -> str | None:
        raw = self.data.get(key)
        return raw.decode() if raw is not None else None


def _decode(obj: dict[str, Any]) -> SecretData:
    meta = obj.get("metadata", {})
    data = {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
    return SecretData(str(meta.get("name", "")), str(meta.get("resourceVersion") or ""), data)


def _encode(data: dict[str, bytes | None]) -> dict[str, str | None]:
    return {k: (base64.b64encode(v).decode() if v is not None else None) for k, v in data.items()}


class SecretStore:
    """Secrets of one namespace: watched ones served from cache, others read on demand."""

    def __init__(self, kube: k8s.Client, namespace: str) -> None:
        self.namespace = namespace
        self._kube = kube
        self._watched: dict[str, Informer[SecretData]] = {}

    def watch(self, name: str) -> Informer[SecretData]:
        """Keep ``name`` cached (call before the informers start)."""
        if name not in self._watched:
            self._watched[name] = Informer(
                self._kube.transport,
                k8s.SECRETS,
                _decode,
                namespace=self.namespace,
                field_selector=f"metadata.name={name}",
                name=f"secret/{name}",
            )
        return self._watched[name]

    @property
    def informers(self) -> list[Informer[SecretData]]:
        return list(self._watched.values())

    def cached(self, name: str) -> SecretData | None:
        return self._watched[name].get(name, self.namespace)

    async def read(self, name: str) -> SecretData | None:
        """Read straight from the API server (for Secrets that are not watched)."""
        try:
            obj = await call(f"Secret {name}", self._kube.get(k8s.SECRETS, name, self.namespace))
        except errors.NotFoundError:
            return None
        return _decode(obj)

    async def create(
        self, name: str, data: dict[str, bytes], *, labels: dict[str, str] | None = None
    ) -> SecretData:
        body = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": self.namespace, "labels": labels or {}},
            "type": "Opaque",
            "data": _encode(dict(data)),
        }
        created = await call(f"Secret {name}", self._kube.create(k8s.SECRETS, body, self.namespace))
        return self._remember(name, created)

    async def patch_data(self, name: str, data: dict[str, bytes | None]) -> SecretData:
        """Merge ``data`` into the Secret (a ``None`` value removes that key)."""
        body = {"data": _encode(data)}
        request = self._kube.merge_patch(k8s.SECRETS, name, body, self.namespace)
        patched = await call(f"Secret {name}", request)
        return self._remember(name, patched)

    async def replace_data(self, name: str, data: dict[str, bytes], resource_version: str) -> SecretData:
        """Replace all data, failing with a conflict if someone else wrote since ``resource_version``."""
        body = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": self.namespace, "resourceVersion": resource_version},
            "type": "Opaque",
            "data": _encode(dict(data)),
        }
        request = self._kube.replace(k8s.SECRETS, name, body, self.namespace)
        replaced = await call(f"Secret {name}", request)
        return self._remember(name, replaced)

    def _remember(self, name: str, raw: dict[str, Any]) -> SecretData:
        informer = self._watched.get(name)
        if informer is not None:
            cached = informer.record_write(raw)
            if cached is not None:
                return cached
        return _decode(raw)
