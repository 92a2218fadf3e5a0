"""The Secrets the gateway keeps its shared state in (identity config, token keys, revocations).

Each watched Secret gets its own informer (field-selected by name) so every replica sees edits
without restarting; writes are merge patches of ``data`` keys.
"""

from __future__ import annotations

import base64
import functools
import json
from dataclasses import dataclass, field
from typing import Any

from kubernetes import client

from kubenova_api import errors
from kubenova_api.store.custom_resources import call_api
from kubenova_api.store.informer import Informer


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

    def __init__(self, api_client: client.ApiClient, namespace: str) -> None:
        self.namespace = namespace
        self._core = client.CoreV1Api(api_client)
        self._watched: dict[str, Informer[SecretData]] = {}

    def watch(self, name: str) -> Informer[SecretData]:
        """Keep ``name`` cached (call before the informers start)."""
        if name not in self._watched:
            call = functools.partial(
                self._core.list_namespaced_secret, self.namespace, field_selector=f"metadata.name={name}"
            )
            self._watched[name] = Informer(f"secret/{name}", call, _decode)
        return self._watched[name]

    @property
    def informers(self) -> list[Informer[SecretData]]:
        return list(self._watched.values())

    def cached(self, name: str) -> SecretData | None:
        return self._watched[name].get(name, self.namespace)

    async def read(self, name: str) -> SecretData | None:
        """Read straight from the API server (for Secrets that are not watched)."""
        try:
            obj = await call_api(f"Secret {name}", self._read_raw, name)
        except errors.NotFoundError:
            return None
        return _decode(obj)

    def _read_raw(self, name: str) -> dict[str, Any]:
        response: Any = self._core.read_namespaced_secret(name, self.namespace, _preload_content=False)
        body: dict[str, Any] = json.loads(response.data)
        return body

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
        created = await call_api(f"Secret {name}", self._write_raw, "create", name, body)
        return self._remember(name, created)

    async def patch_data(self, name: str, data: dict[str, bytes | None]) -> SecretData:
        """Merge ``data`` into the Secret (a ``None`` value removes that key)."""
        body = {"data": _encode(data)}
        patched = await call_api(f"Secret {name}", self._write_raw, "patch", name, body)
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
        replaced = await call_api(f"Secret {name}", self._write_raw, "replace", name, body)
        return self._remember(name, replaced)

    def _write_raw(self, verb: str, name: str, body: Any) -> dict[str, Any]:
        # Plain dict bodies and raw responses: the typed models would only be converted back.
        response: Any
        if verb == "create":
            response = self._core.create_namespaced_secret(self.namespace, body, _preload_content=False)
        elif verb == "replace":
            response = self._core.replace_namespaced_secret(
                name, self.namespace, body, _preload_content=False
            )
        else:
            response = self._core.patch_namespaced_secret(name, self.namespace, body, _preload_content=False)
        result: dict[str, Any] = json.loads(response.data)
        return result

    def _remember(self, name: str, raw: dict[str, Any]) -> SecretData:
        informer = self._watched.get(name)
        if informer is not None:
            cached = informer.record_write(raw)
            if cached is not None:
                return cached
        return _decode(raw)
