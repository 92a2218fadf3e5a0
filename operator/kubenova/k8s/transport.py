"""The synchronous transport: raw JSON requests over the official client's ``ApiClient``.

Why raw JSON: kubenova's kinds and KubeVirt's are parsed into pydantic models at the edges
(``kubenova.resources``, ``kubenova.kubevirt.models``) or kept as plain dicts (the simulator), so
the generated OpenAPI models would only be an extra, lossy conversion; unknown fields survive and
the patch content type is always explicit. Why the official client: it already knows kubeconfig,
in-cluster service accounts, token refresh and TLS, and keeps a connection pool.

Every request has a timeout (``timeout``: connect, read seconds); failures of any kind come out
as the typed errors of ``kubenova.k8s.errors`` (transport failures as ``Unavailable``).
Thread-safe: share one per process (the async ``Client`` runs it in a thread pool).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import kubernetes
from kubernetes.client.exceptions import ApiException

from kubenova.k8s import errors
from kubenova.k8s.errors import JsonObject
from kubenova.k8s.kinds import Kind
from kubenova.k8s.watch import WatchStream

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
DEFAULT_TIMEOUT = (5.0, 60.0)
Timeout = tuple[float, float]


def _query_value(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


class Transport:
    """Blocking JSON requests to one API server."""

    def __init__(
        self,
        api_client: kubernetes.client.ApiClient,
        *,
        user_agent: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        owns_client: bool = False,
    ) -> None:
        self._api = api_client
        self.user_agent = user_agent
        self.timeout = timeout
        self._owns_client = owns_client

    @classmethod
    def from_environment(
        cls,
        kubeconfig: str | None = None,
        *,
        user_agent: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        pool_size: int = 16,
    ) -> Transport:
        """``kubeconfig``, else ``$KUBECONFIG`` / ``~/.kube/config`` if present, else in-cluster."""
        configuration = kubernetes.client.Configuration()
        path = kubeconfig or os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
        if kubeconfig or os.path.exists(path.split(os.pathsep)[0]):
            kubernetes.config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=path, client_configuration=configuration, persist_config=False
            )
        else:
            kubernetes.config.load_incluster_config(  # type: ignore[no-untyped-call]
                client_configuration=configuration
            )
        configuration.connection_pool_maxsize = pool_size
        api = kubernetes.client.ApiClient(configuration)
        return cls(api, user_agent=user_agent, timeout=timeout, owns_client=True)

    def close(self) -> None:
        """Close the connection pool (only if this transport created the ``ApiClient``)."""
        if self._owns_client:
            self._api.close()  # type: ignore[no-untyped-call]

    # --- raw requests ---

    def open(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        timeout: Timeout | None = None,
    ) -> Any:
        """Send a request; the answer (any status) is returned unread, for streaming."""
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
        params = [(k, _query_value(v)) for k, v in (query or {}).items() if v is not None]
        method, url, header_params, data, _ = self._api.param_serialize(
            method=method,
            resource_path=path,
            query_params=params or None,
            header_params=headers,
            body=body,
            auth_settings=["BearerToken"],
        )
        if self.user_agent:
            header_params["User-Agent"] = self.user_agent
        try:
            return self._api.call_api(
                method, url, header_params=header_params, body=data, _request_timeout=timeout or self.timeout
            )
        except ApiException as exc:
            if not exc.status:  # TLS failures and unsendable bodies come as status 0
                raise errors.from_transport(exc, f"{method} {path}") from exc
            raw = exc.body if isinstance(exc.body, bytes) else str(exc.body or exc.reason or "").encode()
            raise errors.from_response(int(exc.status), raw) from exc
        except Exception as exc:  # urllib3: connection refused, timeouts, resets, TLS
            raise errors.from_transport(exc, f"{method} {path}") from exc

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
    ) -> JsonObject:
        """Send a request and return its JSON answer; non-2xx answers raise ``KubeError``."""
        response = self.open(method, path, query=query, body=body, content_type=content_type)
        try:
            data: bytes = response.read() or b""
        except Exception as exc:
            raise errors.from_transport(exc, f"{method} {path}") from exc
        if not 200 <= response.status < 300:
            raise errors.from_response(response.status, data)
        try:
            payload: Any = json.loads(data) if data else {}
        except ValueError as exc:
            raise errors.from_transport(exc, f"{method} {path}: unreadable answer") from exc
        return payload if isinstance(payload, dict) else {"items": payload}

    def text(self, path: str, *, query: Mapping[str, Any] | None = None) -> str:
        """GET a plain-text answer (``pods/log``); non-2xx answers raise ``KubeError``."""
        response = self.open("GET", path, query=query)
        try:
            data: bytes = response.read() or b""
        except Exception as exc:
            raise errors.from_transport(exc, f"GET {path}") from exc
        if not 200 <= response.status < 300:
            raise errors.from_response(response.status, data)
        return data.decode("utf-8", "replace")

    # --- verbs ---

    def get(self, kind: Kind, name: str, namespace: str | None = None) -> JsonObject:
        return self.request("GET", kind.path(namespace, name))

    def collection(
        self,
        kind: Kind,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> JsonObject:
        """The List object (``metadata.resourceVersion`` included); items get apiVersion/kind back."""
        query = {"labelSelector": label_selector or None, "fieldSelector": field_selector or None}
        listing = self.request("GET", kind.path(namespace), query=query)
        list_kind = str(listing.get("kind") or "")
        item_kind = list_kind[: -len("List")] if list_kind.endswith("List") else ""
        for item in listing.get("items") or []:  # list items come without them; parsers want them
            item.setdefault("apiVersion", listing.get("apiVersion") or kind.api_version)
            if item_kind:
                item.setdefault("kind", item_kind)
        return listing

    def list(
        self,
        kind: Kind,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[JsonObject]:
        listing = self.collection(
            kind, namespace, label_selector=label_selector, field_selector=field_selector
        )
        items: list[JsonObject] = listing.get("items") or []
        return items

    def create(self, kind: Kind, body: Mapping[str, Any], namespace: str | None = None) -> JsonObject:
        return self.request("POST", kind.path(namespace), body=dict(body))

    def replace(
        self, kind: Kind, name: str, body: Mapping[str, Any], namespace: str | None = None
    ) -> JsonObject:
        """PUT the whole object; ``metadata.resourceVersion`` in ``body`` makes it conditional."""
        return self.request("PUT", kind.path(namespace, name), body=dict(body))

    def merge_patch(
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
        path = kind.path(namespace, name, subresource)
        return self.request("PATCH", path, body=dict(patch), content_type=MERGE_PATCH)

    def json_patch(
        self,
        kind: Kind,
        name: str,
        operations: Sequence[JsonObject],
        namespace: str | None = None,
        *,
        subresource: str | None = None,
    ) -> JsonObject:
        """JSON patch (RFC 6902), for list edits guarded by ``test`` operations."""
        path = kind.path(namespace, name, subresource)
        return self.request("PATCH", path, body=list(operations), content_type=JSON_PATCH)

    def delete(
        self,
        kind: Kind,
        name: str,
        namespace: str | None = None,
        *,
        uid: str | None = None,
        resource_version: str | None = None,
        propagation: str | None = None,
        grace_period_seconds: int | None = None,
    ) -> JsonObject:
        """Delete; ``uid`` / ``resource_version`` make it conditional (409 if they no longer hold).

        Returns the object (still there while finalizers run) or the server's Status.
        """
        options: JsonObject = {"kind": "DeleteOptions", "apiVersion": "v1"}
        preconditions = {"uid": uid, "resourceVersion": resource_version}
        if any(preconditions.values()):
            options["preconditions"] = {k: v for k, v in preconditions.items() if v}
        if propagation is not None:
            options["propagationPolicy"] = propagation
        if grace_period_seconds is not None:
            options["gracePeriodSeconds"] = grace_period_seconds
        return self.request("DELETE", kind.path(namespace, name), body=options)

    def watch(
        self,
        kind: Kind,
        namespace: str | None = None,
        *,
        resource_version: str,
        timeout_seconds: int,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> WatchStream:
        """The events after ``resource_version`` (bookmarks included) until the server ends the watch."""
        query = {
            "watch": True,
            "resourceVersion": resource_version,
            "allowWatchBookmarks": True,
            "timeoutSeconds": timeout_seconds,
            "labelSelector": label_selector or None,
            "fieldSelector": field_selector or None,
        }
        path = kind.path(namespace)

        def opener() -> Any:
            return self.open("GET", path, query=query, timeout=(self.timeout[0], timeout_seconds + 15.0))

        return WatchStream(opener, path)
