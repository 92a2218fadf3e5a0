"""The gateway's boundary to Kubernetes: the connection, the one mapping of ``kubenova.k8s`` errors
to the gateway's Nova errors, and watch caches whose reads answer 503 until they are synced.

Every store module sends its requests through ``call`` (naming what the request is about, for the
message a client reads) and reads through ``Informer``; nothing above ``store`` sees a
``k8s.KubeError``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

from kubenova import k8s
from kubenova_api import errors

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

USER_AGENT = "kubenova-gateway"
MAX_WORKERS = 16
"""Concurrent Kubernetes requests (the async client's thread pool)."""


def connect(kubeconfig: str | None = None, *, api_client: k8s.ApiClient | None = None) -> k8s.Client:
    """The gateway's client: over ``api_client`` if given (the caller keeps closing it), else the
    kubeconfig (explicit, ``$KUBECONFIG``, ``~/.kube/config``) or the in-cluster service account."""
    if api_client is not None:
        return k8s.Client(k8s.Transport(api_client, user_agent=USER_AGENT), max_workers=MAX_WORKERS)
    return k8s.Client.from_environment(kubeconfig, user_agent=USER_AGENT, max_workers=MAX_WORKERS)


def translate(exc: k8s.KubeError, what: str) -> errors.GatewayError:
    """A Kubernetes failure as the error a Nova client should see; ``what`` names the object."""
    if isinstance(exc, k8s.NotFound):
        return errors.NotFoundError(f"{what} could not be found.")
    if isinstance(exc, k8s.AlreadyExists):
        return errors.AlreadyExistsError(f"{what} already exists.")
    if isinstance(exc, k8s.Conflict):
        return errors.ConflictError(f"{what} was modified concurrently; retry the request.")
    if isinstance(exc, k8s.Invalid):
        return errors.BadRequestError(exc.message)
    if isinstance(exc, k8s.Unavailable):
        log.warning("Kubernetes API unavailable for %s: %s", what, exc)
        return errors.UnavailableError(
            f"The Kubernetes API is unavailable ({exc.reason}); retry the request."
        )
    log.error("Kubernetes API refused a request about %s: %s", what, exc)
    return errors.UnavailableError(f"The Kubernetes API refused the request ({exc.status}).")


async def call(what: str, request: Awaitable[R]) -> R:
    """Await a ``k8s.Client`` request, translating its failures."""
    try:
        return await request
    except k8s.KubeError as exc:
        raise translate(exc, what) from None


class Informer(k8s.Informer[T]):
    """A watch cache whose reads raise ``UnavailableError`` (503) until the first list landed."""

    def _require_synced(self) -> None:
        if not self.synced:
            detail = f": {self.last_error}" if self.last_error else ""
            raise errors.UnavailableError(f"The {self.name} cache is not ready yet{detail}.")

    def get(self, name: str, namespace: str | None = None) -> T | None:
        self._require_synced()
        return super().get(name, namespace)

    def objects(self, namespace: str | None = None) -> list[T]:
        self._require_synced()
        return super().objects(namespace)
