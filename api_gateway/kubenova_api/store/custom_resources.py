"""Typed reads and writes of one kubenova custom resource kind.

Reads come from the kind's informer cache; writes go to the API server (in a worker thread,
the client being synchronous) and land in the cache before returning. Kubernetes errors are
translated to the gateway's domain errors here, so routers never see ``ApiException``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from pydantic import ValidationError

from kubenova.resources import GROUP, VERSION, CustomResource
from kubenova_api import errors
from kubenova_api.store.informer import Informer

log = logging.getLogger(__name__)

CR = TypeVar("CR", bound=CustomResource)
R = TypeVar("R")


def _api_message(exc: ApiException) -> str:
    try:
        return str(json.loads(exc.body or "{}").get("message") or exc.reason)
    except (ValueError, AttributeError):
        return str(exc.reason)


def _api_reason(exc: ApiException) -> str:
    try:
        return str(json.loads(exc.body or "{}").get("reason") or "")
    except (ValueError, AttributeError):
        return ""


def translate(exc: ApiException, what: str) -> errors.GatewayError:
    """A Kubernetes API failure as the domain error a client should see."""
    message = _api_message(exc)
    if exc.status == 404:
        return errors.NotFoundError(f"{what} could not be found.")
    if exc.status == 409:
        if _api_reason(exc) == "AlreadyExists":
            return errors.AlreadyExistsError(f"{what} already exists.")
        return errors.ConflictError(f"{what} was modified concurrently; retry the request.")
    if exc.status in (400, 422):
        return errors.BadRequestError(message)
    log.error("Kubernetes API refused a write of %s: %s %s", what, exc.status, message)
    return errors.UnavailableError(f"The Kubernetes API refused the request ({exc.status}).")


async def call_api(what: str, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
    """Run a blocking client call off the event loop, translating its failures."""
    try:
        return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))
    except ApiException as exc:
        raise translate(exc, what) from None
    except OSError as exc:
        raise errors.UnavailableError(f"The Kubernetes API is unreachable: {exc}") from None


class CustomResourceStore(Generic[CR]):
    """Cache-backed access to one kind (``model`` is its resource class)."""

    def __init__(self, api_client: client.ApiClient, model: type[CR]) -> None:
        self.model = model
        self._api = client.CustomObjectsApi(api_client)
        info = model.crd
        self._namespaced = info.scope == "Namespaced"
        list_call = functools.partial(self._api.list_cluster_custom_object, GROUP, VERSION, info.plural)
        self.informer: Informer[CR] = Informer(info.plural, list_call, self._parse)

    def _parse(self, obj: dict[str, Any]) -> CR:
        try:
            return self.model.model_validate(obj)
        except ValidationError as exc:
            raise ValueError(str(exc)) from None

    # -- reads (cache) -----------------------------------------------------------------------
    def get(self, name: str, namespace: str | None = None) -> CR | None:
        return self.informer.get(name, namespace or "")

    def list(self, namespace: str | None = None) -> list[CR]:
        items = self.informer.items()
        if namespace is None:
            return items
        return [item for item in items if item.metadata.namespace == namespace]

    # -- writes (API server, then cache) -------------------------------------------------------
    async def create(self, body: dict[str, Any], *, what: str) -> CR:
        info = self.model.crd
        namespace = body.get("metadata", {}).get("namespace")
        if self._namespaced:
            created = await call_api(
                what, self._api.create_namespaced_custom_object, GROUP, VERSION, namespace, info.plural, body
            )
        else:
            created = await call_api(
                what, self._api.create_cluster_custom_object, GROUP, VERSION, info.plural, body
            )
        return self._remember(created)

    async def patch(self, obj: CR, patch: dict[str, Any], *, what: str) -> CR:
        """Merge-patch ``obj`` (conflicting concurrent writes are resolved by the API server)."""
        info = self.model.crd
        name, namespace = obj.metadata.name, obj.metadata.namespace
        if self._namespaced:
            patched = await call_api(
                what,
                self._api.patch_namespaced_custom_object,
                GROUP,
                VERSION,
                namespace,
                info.plural,
                name,
                patch,
            )
        else:
            patched = await call_api(
                what, self._api.patch_cluster_custom_object, GROUP, VERSION, info.plural, name, patch
            )
        return self._remember(patched)

    async def delete(self, obj: CR, *, what: str) -> None:
        info = self.model.crd
        name, namespace = obj.metadata.name, obj.metadata.namespace
        if self._namespaced:
            gone = await call_api(
                what, self._api.delete_namespaced_custom_object, GROUP, VERSION, namespace, info.plural, name
            )
        else:
            gone = await call_api(
                what, self._api.delete_cluster_custom_object, GROUP, VERSION, info.plural, name
            )
        if isinstance(gone, dict) and gone.get("kind") == info.kind:
            self.informer.record_delete(gone)
        else:  # a Status object: forget what we had
            self.informer.record_delete({"metadata": {"name": name, "namespace": namespace}})

    def _remember(self, raw: Any) -> CR:
        if not isinstance(raw, dict):
            raise errors.UnavailableError("The Kubernetes API returned an unexpected body.")
        cached = self.informer.record_write(raw)
        return cached if cached is not None else self._parse(raw)
