"""Typed create/replace/delete of kubenova objects for these tests, through the real API server.

The generated client returns ``object``; this module is the one place that narrows it, so the
tests read as plain dicts and stay mypy-clean.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from kubenova.resources import ALL, CustomResource
from kubenova.resources.base import GROUP, VERSION
from tests.support.cluster import Cluster

MODELS: dict[str, type[CustomResource]] = {model.crd.kind: model for model in ALL}


class Objects:
    """kubenova objects of any kind, addressed by their body or by (model, name, namespace)."""

    def __init__(self, api_client: client.ApiClient) -> None:
        self.api = client.CustomObjectsApi(api_client)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        model = MODELS[body["kind"]]
        if model.crd.scope == "Namespaced":
            namespace = body["metadata"]["namespace"]
            result = self.api.create_namespaced_custom_object(
                GROUP, VERSION, namespace, model.crd.plural, body
            )
        else:
            result = self.api.create_cluster_custom_object(GROUP, VERSION, model.crd.plural, body)
        return cast(dict[str, Any], result)

    def replace_status(self, body: dict[str, Any]) -> dict[str, Any]:
        model = MODELS[body["kind"]]
        meta = body["metadata"]
        result = self.api.replace_namespaced_custom_object_status(
            GROUP, VERSION, meta["namespace"], model.crd.plural, meta["name"], body
        )
        return cast(dict[str, Any], result)

    def delete(self, model: type[CustomResource], name: str, namespace: str | None = None) -> None:
        """Delete if present (tests clean up cluster-scoped objects; namespaces go with the namespace)."""
        try:
            if model.crd.scope == "Namespaced":
                self.api.delete_namespaced_custom_object(
                    GROUP, VERSION, namespace or "", model.crd.plural, name
                )
            else:
                self.api.delete_cluster_custom_object(GROUP, VERSION, model.crd.plural, name)
        except ApiException as exc:
            if exc.status != 404:
                raise


def refusal(exc: ApiException) -> tuple[int, str]:
    """(HTTP status, the Status message kubectl would print) of a refused request."""
    status = json.loads(exc.body or "{}")
    return int(exc.status or 0), str(status.get("message", ""))


@contextmanager
def kubenova_objects(cluster: Cluster) -> Iterator[Objects]:
    api_client = cluster.api_client()
    try:
        yield Objects(api_client)
    finally:
        api_client.close()  # type: ignore[no-untyped-call]
