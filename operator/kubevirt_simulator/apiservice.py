"""Registers the simulator's subresource endpoint with the API server's aggregation layer.

Real KubeVirt registers ``v1.subresources.kubevirt.io`` pointing at the virt-api Service. The
simulator runs outside the cluster's network, so its Service is an ExternalName naming the
simulator's own address; the aggregator then proxies ``/apis/subresources.kubevirt.io/v1/...`` to
it (no kube-proxy or endpoints needed). The registration is removed on shutdown: an APIService
whose backend is gone makes discovery fail and blocks namespace deletion.
"""

from __future__ import annotations

import base64
import logging

from kubenova.k8s import Forbidden, Kind, KubeError, NotFound, Transport
from kubenova.k8s import JsonObject as Obj
from kubenova.kubevirt.models import SUBRESOURCES_GROUP, VERSION
from kubevirt_simulator.names import SIMULATOR_PREFIX

log = logging.getLogger(__name__)

APISERVICE_RESOURCE = Kind("apiregistration.k8s.io", "v1", "apiservices", namespaced=False)
SERVICE_RESOURCE = Kind("", "v1", "services", namespaced=True)
APISERVICE_NAME = f"{VERSION}.{SUBRESOURCES_GROUP}"
SERVICE_NAMESPACE = "kube-system"
SERVICE_NAME = "kubevirt-simulator-subresources"
OWNER_ANNOTATION = f"{SIMULATOR_PREFIX}/registered-by"


def service_dns_names() -> list[str]:
    """The names the aggregator may check the serving certificate against."""
    return [
        f"{SERVICE_NAME}.{SERVICE_NAMESPACE}.svc",
        f"{SERVICE_NAME}.{SERVICE_NAMESPACE}.svc.cluster.local",
    ]


def _ours(obj: Obj) -> bool:
    return OWNER_ANNOTATION in ((obj.get("metadata") or {}).get("annotations") or {})


def _apply(client: Transport, resource: Kind, namespace: str | None, body: Obj) -> None:
    name = body["metadata"]["name"]
    try:
        current = client.get(resource, name, namespace)
    except NotFound:
        client.create(resource, body, namespace)
        return
    if not _ours(current):
        raise RuntimeError(
            f"{resource.plural}/{name} exists and was not registered by the kubevirt-simulator; "
            "is a real KubeVirt installed?"
        )
    client.merge_patch(resource, name, {"spec": body["spec"]}, namespace)


def register(client: Transport, host: str, port: int, ca_pem: bytes) -> None:
    annotations = {OWNER_ANNOTATION: "kubevirt-simulator"}
    _apply(
        client,
        SERVICE_RESOURCE,
        SERVICE_NAMESPACE,
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": SERVICE_NAME, "namespace": SERVICE_NAMESPACE, "annotations": annotations},
            "spec": {
                "type": "ExternalName",
                "externalName": host,
                "ports": [{"name": "https", "port": port}],
            },
        },
    )
    _apply(
        client,
        APISERVICE_RESOURCE,
        None,
        {
            "apiVersion": "apiregistration.k8s.io/v1",
            "kind": "APIService",
            "metadata": {"name": APISERVICE_NAME, "annotations": annotations},
            "spec": {
                "group": SUBRESOURCES_GROUP,
                "version": VERSION,
                "groupPriorityMinimum": 1000,
                "versionPriority": 15,
                "caBundle": base64.b64encode(ca_pem).decode(),
                "service": {"namespace": SERVICE_NAMESPACE, "name": SERVICE_NAME, "port": port},
            },
        },
    )
    log.info("kubevirt-simulator: registered APIService %s -> https://%s:%d", APISERVICE_NAME, host, port)


def unregister(client: Transport) -> None:
    """Remove the registration (and its Service) if this simulator made it."""
    _remove(client, quiet_if_forbidden=False)
    log.info("kubevirt-simulator: unregistered APIService %s", APISERVICE_NAME)


def remove_stale(client: Transport) -> None:
    """At a start without the subresource API: remove a registration a killed run left behind
    (its backend is gone, and it blocks discovery and namespace deletion). Without RBAC on
    APIServices (as deployed, where the API is off) there is nothing to clean and nothing is said."""
    if _remove(client, quiet_if_forbidden=True):
        log.info("kubevirt-simulator: removed the stale APIService %s of an earlier run", APISERVICE_NAME)


def _remove(client: Transport, *, quiet_if_forbidden: bool) -> bool:
    removed = False
    for resource, namespace, name in (
        (APISERVICE_RESOURCE, None, APISERVICE_NAME),
        (SERVICE_RESOURCE, SERVICE_NAMESPACE, SERVICE_NAME),
    ):
        try:
            current = client.get(resource, name, namespace)
            if _ours(current):
                client.delete(resource, name, namespace, propagation="Background")
                removed = True
        except NotFound:
            pass
        except Forbidden as exc:
            if not quiet_if_forbidden:
                log.warning("kubevirt-simulator: could not remove %s/%s: %s", resource.plural, name, exc)
        except KubeError as exc:
            log.warning("kubevirt-simulator: could not remove %s/%s: %s", resource.plural, name, exc)
    return removed
