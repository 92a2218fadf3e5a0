"""The async client: the sync ``Transport`` run in a small private thread pool.

The official client is synchronous; every call runs in the pool so the event loop (kopf's, or the
gateway's) never blocks. Same verbs and errors as the transport.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from kubenova.k8s import patch as patching
from kubenova.k8s.errors import JsonObject
from kubenova.k8s.kinds import Kind
from kubenova.k8s.transport import DEFAULT_TIMEOUT, Timeout, Transport

R = TypeVar("R")


class Client:
    """Async CRUD over JSON for any kind. Thread-safe; share one per process."""

    def __init__(self, transport: Transport, *, max_workers: int = 8) -> None:
        self.transport = transport
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="k8s")

    @classmethod
    def from_environment(
        cls,
        kubeconfig: str | None = None,
        *,
        user_agent: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_workers: int = 8,
    ) -> Client:
        """Client for ``kubeconfig``, else ``$KUBECONFIG``/``~/.kube/config``, else in-cluster."""
        transport = Transport.from_environment(
            kubeconfig, user_agent=user_agent, timeout=timeout, pool_size=max(16, max_workers)
        )
        return cls(transport, max_workers=max_workers)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.transport.close()

    async def _run(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
        call = functools.partial(fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    # --- verbs (see ``Transport`` for their semantics) ---

    async def get(self, kind: Kind, name: str, namespace: str | None = None) -> JsonObject:
        return await self._run(self.transport.get, kind, name, namespace)

    async def text(self, path: str, *, query: Mapping[str, Any] | None = None) -> str:
        """A plain-text GET (``pods/log``)."""
        return await self._run(self.transport.text, path, query=query)

    async def list(
        self,
        kind: Kind,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[JsonObject]:
        return await self._run(
            self.transport.list, kind, namespace, label_selector=label_selector, field_selector=field_selector
        )

    async def create(self, kind: Kind, body: Mapping[str, Any], namespace: str | None = None) -> JsonObject:
        return await self._run(self.transport.create, kind, body, namespace)

    async def replace(
        self, kind: Kind, name: str, body: Mapping[str, Any], namespace: str | None = None
    ) -> JsonObject:
        return await self._run(self.transport.replace, kind, name, body, namespace)

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
        return await self._run(
            self.transport.merge_patch, kind, name, patch, namespace, subresource=subresource
        )

    async def modify(
        self,
        kind: Kind,
        name: str,
        build: patching.Build,
        namespace: str | None = None,
        *,
        current: JsonObject | None = None,
        subresource: str | None = None,
        attempts: int = patching.ATTEMPTS,
    ) -> JsonObject:
        """Conditional merge patch with retry on conflict; see ``kubenova.k8s.patch.modify``."""
        return await patching.modify(
            self, kind, name, build, namespace, current=current, subresource=subresource, attempts=attempts
        )

    async def delete(
        self,
        kind: Kind,
        name: str,
        namespace: str | None = None,
        *,
        uid: str | None = None,
        resource_version: str | None = None,
        propagation: str | None = None,
    ) -> JsonObject:
        """Delete; ``uid`` (or ``resource_version``) makes it conditional (409 if it no longer holds)."""
        return await self._run(
            self.transport.delete,
            kind,
            name,
            namespace,
            uid=uid,
            resource_version=resource_version,
            propagation=propagation,
        )

    async def put_subresource(
        self, kind: Kind, name: str, subresource: str, namespace: str | None = None, body: Any = None
    ) -> JsonObject:
        """PUT to an object's subresource (KubeVirt's ``subresources.kubevirt.io`` actions)."""
        return await self._run(
            self.transport.request, "PUT", kind.path(namespace, name, subresource), body=body or {}
        )
