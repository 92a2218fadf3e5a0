"""The simulator's only door to the API server: JSON in, JSON out, watch streams as dicts.

Built on the official client's configuration and connection pool (kubeconfig, in-cluster config,
TLS, tokens), but requests are sent raw so objects stay plain dicts, unknown fields survive and
the patch content type is always explicit (merge patches for our own fields, JSON patches where a
list must be edited under a resourceVersion test).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException

log = logging.getLogger(__name__)

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
REQUEST_TIMEOUT = (5.0, 30.0)

Obj = dict[str, Any]


class ApiError(Exception):
    """A non-2xx answer from the API server (or a transport failure, status 0)."""

    def __init__(self, status: int, reason: str, body: Any = None) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason
        self.body = body

    @property
    def not_found(self) -> bool:
        return self.status == 404

    @property
    def conflict(self) -> bool:
        """409: stale resourceVersion, or (``already_exists``) the name is taken."""
        return self.status == 409

    @property
    def already_exists(self) -> bool:
        return (
            self.status == 409 and isinstance(self.body, dict) and self.body.get("reason") == "AlreadyExists"
        )

    @property
    def gone(self) -> bool:
        return self.status == 410


@dataclass(frozen=True)
class ResourceType:
    """Where a kind lives in the REST API."""

    group: str
    version: str
    plural: str
    namespaced: bool

    def path(
        self, namespace: str | None = None, name: str | None = None, subresource: str | None = None
    ) -> str:
        base = f"/api/{self.version}" if not self.group else f"/apis/{self.group}/{self.version}"
        if self.namespaced and namespace is not None:
            base += f"/namespaces/{quote(namespace, safe='')}"
        base += f"/{self.plural}"
        if name is not None:
            base += f"/{quote(name, safe='')}"
            if subresource:
                base += f"/{subresource}"
        return base


class KubeClient:
    def __init__(self, api_client: k8s_client.ApiClient) -> None:
        self._api = api_client

    @classmethod
    def from_environment(cls) -> KubeClient:
        """KUBECONFIG (or ~/.kube/config) if present, else the in-cluster service account."""
        try:
            k8s_config.load_kube_config()  # type: ignore[no-untyped-call]
        except (k8s_config.ConfigException, FileNotFoundError, TypeError):
            k8s_config.load_incluster_config()  # type: ignore[no-untyped-call]
        configuration = k8s_client.Configuration.get_default_copy()
        configuration.connection_pool_maxsize = max(configuration.connection_pool_maxsize or 0, 16)
        return cls(k8s_client.ApiClient(configuration))

    def close(self) -> None:
        self._api.close()  # type: ignore[no-untyped-call]

    def _send(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        timeout: tuple[float, float] = REQUEST_TIMEOUT,
    ) -> Any:
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
        params = [(k, v) for k, v in (query or {}).items() if v is not None]
        method, url, header_params, body, _ = self._api.param_serialize(
            method=method,
            resource_path=path,
            query_params=params,
            header_params=headers,
            body=body,
            auth_settings=["BearerToken"],
        )
        try:
            return self._api.call_api(
                method, url, header_params=header_params, body=body, _request_timeout=timeout
            )
        except ApiException as exc:
            raise _error_from(exc) from exc
        except Exception as exc:  # urllib3 transport errors: connection refused, timeouts, resets
            raise ApiError(0, f"{type(exc).__name__}: {exc}") from exc

    def request(
        self,
        method: str,
        path: str,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
    ) -> Obj:
        response = self._send(method, path, query=query, body=body, content_type=content_type)
        try:
            data = response.read()
        except Exception as exc:
            raise ApiError(0, f"{type(exc).__name__}: {exc}") from exc
        payload: Any = json.loads(data) if data else {}
        if not 200 <= response.status <= 299:
            reason = payload.get("message", response.reason) if isinstance(payload, dict) else response.reason
            raise ApiError(response.status, str(reason), payload)
        return payload if isinstance(payload, dict) else {"items": payload}

    def get(self, path: str) -> Obj:
        return self.request("GET", path)

    def list_objects(self, path: str, label_selector: str | None = None) -> Obj:
        return self.request("GET", path, {"labelSelector": label_selector})

    def create(self, path: str, body: Obj) -> Obj:
        return self.request("POST", path, body=body)

    def merge_patch(self, path: str, body: Obj) -> Obj:
        return self.request("PATCH", path, body=body, content_type=MERGE_PATCH)

    def json_patch(self, path: str, operations: list[Obj]) -> Obj:
        return self.request("PATCH", path, body=operations, content_type=JSON_PATCH)

    def delete(self, path: str, uid: str | None = None, grace_period_seconds: int | None = None) -> Obj:
        body: Obj = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Background"}
        if uid:
            body["preconditions"] = {"uid": uid}
        if grace_period_seconds is not None:
            body["gracePeriodSeconds"] = grace_period_seconds
        return self.request("DELETE", path, body=body)

    def watch(
        self,
        path: str,
        resource_version: str,
        timeout_seconds: int,
        label_selector: str | None = None,
    ) -> Iterator[Obj]:
        """Events of one watch request, until the server ends it. ERROR events raise ApiError."""
        response = self._send(
            "GET",
            path,
            query={
                "watch": "true",
                "resourceVersion": resource_version,
                "allowWatchBookmarks": "true",
                "timeoutSeconds": timeout_seconds,
                "labelSelector": label_selector,
            },
            timeout=(5.0, timeout_seconds + 15.0),
        )
        raw = response.response
        try:
            if not 200 <= response.status <= 299:
                data = raw.read()
                payload = json.loads(data) if data else {}
                raise ApiError(response.status, str(payload.get("message", response.reason)), payload)
            buffer = b""
            for chunk in raw.stream(amt=None, decode_content=True):
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if not line.strip():
                        continue
                    event = json.loads(line)
                    if event.get("type") == "ERROR":
                        status = event.get("object") or {}
                        raise ApiError(int(status.get("code") or 500), str(status.get("message", "")), status)
                    yield event
        except ApiError:
            raise
        except Exception as exc:  # connection reset, read timeout, truncated JSON
            raise ApiError(0, f"watch interrupted: {type(exc).__name__}: {exc}") from exc
        finally:
            raw.release_conn()


def _error_from(exc: ApiException) -> ApiError:
    body: Any = None
    if exc.body:
        try:
            body = json.loads(exc.body)
        except (TypeError, ValueError):
            body = exc.body
    message = body.get("message") if isinstance(body, dict) else None
    return ApiError(int(exc.status or 0), str(message or exc.reason), body)
