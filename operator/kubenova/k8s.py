"""The operator's only Kubernetes client: raw JSON over the official client's transport.

Why raw JSON: kubenova's own kinds and KubeVirt's are parsed into pydantic models at the edges
(``kubenova.resources``, ``kubenova.kubevirt.models``), so the generated OpenAPI models would only
be an extra, lossy conversion. Why the official client: it already knows kubeconfig, in-cluster
service accounts, token refresh and TLS.

The official client is synchronous; every call runs in a small private thread pool so the event
loop (kopf's, or the gateway's) never blocks. Errors become a few typed exceptions so callers
write ``except k8s.NotFound`` instead of comparing status codes.

One client per process: ``configure()`` once at start, ``client()`` everywhere else.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import kubernetes

JsonObject = dict[str, Any]


# ----- errors ---------------------------------------------------------------------------------


class KubeError(Exception):
    """The API server refused a request; ``status`` is the HTTP code, ``reason`` the Status reason."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status = status
        self.reason = reason
        self.message = message


class NotFound(KubeError):  # noqa: N818 - reads as the API's own vocabulary: except k8s.NotFound
    """404: the object (or its kind) does not exist."""


class Conflict(KubeError):  # noqa: N818
    """409: a precondition (resourceVersion, uid) failed, or the object already exists."""


class AlreadyExists(Conflict):
    """409 AlreadyExists on create: an object with that name exists."""


class Invalid(KubeError):  # noqa: N818
    """422 (or 400): the body failed validation."""


class Forbidden(KubeError):  # noqa: N818
    """403: RBAC refused the request."""


def _error(status: int, data: bytes) -> KubeError:
    try:
        body = json.loads(data or b"{}")
    except ValueError:
        body = {}
    reason = str(body.get("reason") or "")
    message = str(body.get("message") or data[:500].decode("utf-8", "replace"))
    if status == 404:
        return NotFound(status, reason or "NotFound", message)
    if status == 409:
        cls = AlreadyExists if reason == "AlreadyExists" else Conflict
        return cls(status, reason or "Conflict", message)
    if status in (400, 422):
        return Invalid(status, reason or "Invalid", message)
    if status == 403:
        return Forbidden(status, reason or "Forbidden", message)
    return KubeError(status, reason or "Error", message)


# ----- kinds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """Where a kind lives in the REST API."""

    group: str
    version: str
    plural: str
    namespaced: bool

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(
        self, namespace: str | None = None, name: str | None = None, subresource: str | None = None
    ) -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        parts = [base]
        if self.namespaced and namespace is not None:
            parts.append(f"namespaces/{quote(namespace, safe='')}")
        parts.append(self.plural)
        if name is not None:
            parts.append(quote(name, safe=""))
            if subresource is not None:
                parts.append(subresource)
        return "/".join(parts)


NODES = Kind("", "v1", "nodes", namespaced=False)
SECRETS = Kind("", "v1", "secrets", namespaced=True)
EVENTS = Kind("", "v1", "events", namespaced=True)
SERVERS = Kind("compute.kubenova.io", "v1alpha1", "servers", namespaced=True)
FLAVORS = Kind("compute.kubenova.io", "v1alpha1", "flavors", namespaced=False)
IMAGES = Kind("compute.kubenova.io", "v1alpha1", "images", namespaced=False)
KEYPAIRS = Kind("compute.kubenova.io", "v1alpha1", "keypairs", namespaced=False)
AGGREGATES = Kind("compute.kubenova.io", "v1alpha1", "aggregates", namespaced=False)
VIRTUAL_MACHINES = Kind("kubevirt.io", "v1", "virtualmachines", namespaced=True)
VIRTUAL_MACHINE_INSTANCES = Kind("kubevirt.io", "v1", "virtualmachineinstances", namespaced=True)


# ----- client ---------------------------------------------------------------------------------


class Client:
    """Async CRUD over JSON for any kind. Thread-safe; share one per process."""

    def __init__(self, api_client: kubernetes.client.ApiClient, *, max_workers: int = 8) -> None:
        self._api = api_client
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="k8s")

    @classmethod
    def from_environment(cls, kubeconfig: str | None = None) -> Client:
        """Client for ``kubeconfig``, else ``$KUBECONFIG``/``~/.kube/config``, else in-cluster."""
        configuration = kubernetes.client.Configuration()
        path = kubeconfig or os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
        if kubeconfig or os.path.exists(path.split(os.pathsep)[0]):
            kubernetes.config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=path, client_configuration=configuration
            )
        else:
            kubernetes.config.load_incluster_config(  # type: ignore[no-untyped-call]
                client_configuration=configuration
            )
        configuration.connection_pool_maxsize = 16
        return cls(kubernetes.client.ApiClient(configuration))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._api.close()  # type: ignore[no-untyped-call]

    # --- generic verbs ---

    async def get(self, kind: Kind, name: str, namespace: str | None = None) -> JsonObject:
        return await self._request("GET", kind.path(namespace, name))

    async def list(
        self, kind: Kind, namespace: str | None = None, *, label_selector: str | None = None
    ) -> list[JsonObject]:
        query = {"labelSelector": label_selector} if label_selector else None
        result = await self._request("GET", kind.path(namespace), query=query)
        items: list[JsonObject] = result.get("items") or []
        for item in items:  # list items come without apiVersion/kind; restore them for parsers
            item.setdefault("apiVersion", kind.api_version)
        return items

    async def create(self, kind: Kind, body: Mapping[str, Any], namespace: str | None = None) -> JsonObject:
        return await self._request("POST", kind.path(namespace), body=dict(body))

    async def merge_patch(
        self,
        kind: Kind,
        name: str,
        patch: Mapping[str, Any],
        namespace: str | None = None,
        *,
        subresource: str | None = None,
    ) -> JsonObject:
        """JSON merge patch (RFC 7386): only the given fields change; ``None`` removes a field.

        Put ``metadata.resourceVersion`` in the patch to make it conditional (409 if stale).
        """
        return await self._request(
            "PATCH",
            kind.path(namespace, name, subresource),
            body=dict(patch),
            content_type="application/merge-patch+json",
        )

    async def delete(
        self,
        kind: Kind,
        name: str,
        namespace: str | None = None,
        *,
        uid: str | None = None,
        propagation: str | None = None,
    ) -> None:
        """Delete; ``uid`` makes it conditional (409 if the name now holds another object)."""
        options: JsonObject = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if uid is not None:
            options["preconditions"] = {"uid": uid}
        if propagation is not None:
            options["propagationPolicy"] = propagation
        await self._request("DELETE", kind.path(namespace, name), body=options)

    # --- transport ---

    async def _request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: JsonObject | None = None,
        content_type: str = "application/json",
    ) -> JsonObject:
        call = functools.partial(self._call, method, path, query, body, content_type)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def _call(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None,
        body: JsonObject | None,
        content_type: str,
    ) -> JsonObject:
        headers = {"Accept": "application/json", "Content-Type": content_type}
        _, url, headers, data, _ = self._api.param_serialize(
            method=method,
            resource_path=path,
            query_params=list(query.items()) if query else None,
            header_params=headers,
            body=body,
            auth_settings=["BearerToken"],
        )
        response = self._api.call_api(method, url, header_params=headers, body=data, _request_timeout=60)
        raw: bytes = response.read() or b""  # type: ignore[no-untyped-call]
        if not 200 <= response.status < 300:
            raise _error(response.status, raw)
        result: JsonObject = json.loads(raw) if raw else {}
        return result


_client: Client | None = None


def configure(kubeconfig: str | None = None) -> Client:
    """Create the process's client (replacing any earlier one) and return it."""
    global _client  # noqa: PLW0603 - the one process-wide client, by design
    if _client is not None:
        _client.close()
    _client = Client.from_environment(kubeconfig)
    return _client


def client() -> Client:
    """The process's client; configured from the environment on first use."""
    return _client if _client is not None else configure()
