"""Typed reads and writes of one kubenova custom resource kind.

Reads come from the kind's watch cache; writes go to the API server through the gateway's
``k8s.Client`` and land in the cache before returning (read-your-writes). Kubernetes errors are
translated at ``store.kube`` (``call``), so routers never see them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from kubenova import k8s
from kubenova.resources import GROUP, VERSION, CustomResource, fields_sets
from kubenova_api import errors
from kubenova_api.store.kube import Informer, call

log = logging.getLogger(__name__)

CR = TypeVar("CR", bound=CustomResource)


class CustomResourceStore(Generic[CR]):
    """Cache-backed access to one kind (``model`` is its resource class)."""

    def __init__(self, kube: k8s.Client, model: type[CR]) -> None:
        self.model = model
        self._kube = kube
        info = model.crd
        self.kind = k8s.Kind(GROUP, VERSION, info.plural, namespaced=info.scope == "Namespaced")
        self.informer: Informer[CR] = Informer(kube.transport, self.kind, self._parse, name=info.plural)

    def _parse(self, obj: dict[str, Any]) -> CR:
        """``obj`` as cached: read-only, its models sharing their sets of field names (half of a
        parsed Server's memory otherwise; ``resources.fields_sets``)."""
        try:
            return fields_sets.share(self.model.model_validate(obj))
        except ValidationError as exc:
            raise ValueError(str(exc)) from None

    def describe(self, obj: CR) -> str:
        """How messages name ``obj`` (``what`` of the writes, by default)."""
        return f"{self.model.crd.kind} {obj.metadata.name}"

    def _namespace(self, obj: CR) -> str | None:
        return obj.metadata.namespace if self.kind.namespaced else None

    # -- reads (cache) -----------------------------------------------------------------------
    def get(self, name: str, namespace: str | None = None) -> CR | None:
        return self.informer.get(name, namespace or "")

    def list(self, namespace: str | None = None) -> list[CR]:
        """Every cached object, or those of ``namespace`` (from the cache's namespace index)."""
        if namespace is None:
            return self.informer.objects()
        if not namespace:  # "": no namespaced object, and no cluster-scoped one (metadata.namespace None)
            return [item for item in self.informer.objects() if item.metadata.namespace == namespace]
        return self.informer.objects(namespace)

    # -- writes (API server, then cache) -------------------------------------------------------
    async def create(self, body: dict[str, Any], *, what: str) -> CR:
        namespace = body.get("metadata", {}).get("namespace") if self.kind.namespaced else None
        return self._remember(await call(what, self._kube.create(self.kind, body, namespace)))

    async def read(self, obj: CR, *, what: str) -> CR | None:
        """``obj`` as stored now (not the cache), or ``None`` once it is gone."""
        try:
            raw = await call(what, self._kube.get(self.kind, obj.metadata.name, self._namespace(obj)))
        except errors.NotFoundError:
            return None
        return self._remember(raw)

    async def patch(self, obj: CR, patch: dict[str, Any], *, what: str) -> CR:
        """Merge-patch ``obj``: conditional only if ``patch`` carries ``metadata.resourceVersion``."""
        request = self._kube.merge_patch(self.kind, obj.metadata.name, patch, self._namespace(obj))
        return self._remember(await call(what, request))

    async def modify(
        self,
        obj: CR,
        build: Callable[[CR], Mapping[str, Any] | None],
        *,
        what: str | None = None,
        as_written: bool = False,
    ) -> CR:
        """Merge-patch ``build(current)`` conditional on the version ``build`` saw, rebuilding it from
        the object as stored now after a conflicting write (``k8s.Client.modify``).

        ``build`` starts from ``obj`` (usually from the cache), may read it to compute the patch,
        may raise to refuse, and returns ``None`` when nothing needs to change. ``NotFoundError``
        once the object is gone or replaced, ``ConflictError`` if it kept changing. Returns the
        freshest copy (a newer one the watch brought meanwhile wins), or with ``as_written`` the
        object as this write left it (what an API answer that shows the request's effect renders).
        """
        meta = obj.metadata
        start: dict[str, Any] = {"metadata": {"uid": meta.uid, "resourceVersion": meta.resource_version}}

        def build_raw(raw: dict[str, Any]) -> Mapping[str, Any] | None:
            return build(obj if raw is start else self.model.model_validate(raw))

        request = self._kube.modify(self.kind, meta.name, build_raw, self._namespace(obj), current=start)
        patched = await call(what or self.describe(obj), request)
        if patched is start:
            return obj
        remembered = self._remember(patched)
        return self.model.model_validate(patched) if as_written else remembered

    async def delete(self, obj: CR, *, what: str, resource_version: str | None = None) -> None:
        """Delete ``obj`` (the version ``resource_version`` only, if given: 409 otherwise)."""
        name, namespace = obj.metadata.name, self._namespace(obj)
        uid = obj.metadata.uid if resource_version else None
        request = self._kube.delete(self.kind, name, namespace, uid=uid, resource_version=resource_version)
        gone = await call(what, request)
        if gone.get("kind") == self.model.crd.kind:
            self.informer.record_delete(gone)
        else:  # a Status object: forget what we had
            self.informer.record_delete({"metadata": {"name": name, "namespace": namespace}})

    def _remember(self, raw: dict[str, Any]) -> CR:
        if not isinstance(raw, dict) or not raw.get("metadata"):
            raise errors.UnavailableError("The Kubernetes API returned an unexpected body.")
        cached = self.informer.record_write(raw)
        return cached if cached is not None else self.model.model_validate(raw)
