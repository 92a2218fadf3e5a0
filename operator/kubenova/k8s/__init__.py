"""kubenova's one Kubernetes client stack, shared by the operator, the gateway and the simulator.

* ``errors``: API answers and transport failures as typed exceptions (``NotFound``, ``Conflict``,
  ``AlreadyExists``, ``Invalid``, ``Forbidden``, ``Gone``, ``Unavailable``; all ``KubeError``).
* ``kinds``: where each kind lives in the REST API (``Kind``, ``SERVERS``, ``NODES``, ...).
* ``transport``: the sync ``Transport``, raw JSON over the official client's ``ApiClient``
  (kubeconfig, in-cluster, TLS, request timeouts, a user agent per component); ``watch`` streams.
* ``client``: the async ``Client``, the transport in a thread pool (the operator, the gateway).
* ``patch``: conditional merge patch with retry on conflict (``Client.modify``).
* ``informer`` (+ ``cache``): the one watch cache: list+watch, relist on 410, resourceVersion
  ordering, read-your-writes.

One async client per operator process, built in ``__main__`` and handed to handlers in the runtime.
Who uses what, and why the operator watches through kopf: docs/architecture.md, "Talking to
Kubernetes".
"""

from __future__ import annotations

from kubernetes.client import ApiClient

from kubenova.k8s.cache import Cache
from kubenova.k8s.client import Client
from kubenova.k8s.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    Gone,
    Invalid,
    JsonObject,
    KubeError,
    NotFound,
    Unavailable,
)
from kubenova.k8s.informer import Informer, as_is
from kubenova.k8s.kinds import (
    AGGREGATES,
    CONFIG_MAPS,
    DATA_VOLUMES,
    EVENTS,
    FLAVORS,
    IMAGES,
    KEYPAIRS,
    MIGRATIONS,
    NAMESPACES,
    NODES,
    PERSISTENT_VOLUME_CLAIMS,
    PERSISTENT_VOLUMES,
    PODS,
    SECRETS,
    SERVER_GROUPS,
    SERVER_RECORDS,
    SERVERS,
    STORAGE_CLASSES,
    VIRTUAL_MACHINE_INSTANCE_MIGRATIONS,
    VIRTUAL_MACHINE_INSTANCES,
    VIRTUAL_MACHINES,
    VMI_SUBRESOURCES,
    Kind,
    ObjectKey,
    object_key,
    resource_version,
)
from kubenova.k8s.transport import JSON_PATCH, MERGE_PATCH, Transport
from kubenova.k8s.watch import WatchStream

__all__ = [
    "AGGREGATES",
    "CONFIG_MAPS",
    "DATA_VOLUMES",
    "EVENTS",
    "FLAVORS",
    "IMAGES",
    "JSON_PATCH",
    "KEYPAIRS",
    "MERGE_PATCH",
    "MIGRATIONS",
    "NAMESPACES",
    "NODES",
    "PERSISTENT_VOLUMES",
    "PERSISTENT_VOLUME_CLAIMS",
    "PODS",
    "SECRETS",
    "SERVERS",
    "SERVER_GROUPS",
    "SERVER_RECORDS",
    "STORAGE_CLASSES",
    "USER_AGENT",
    "VIRTUAL_MACHINES",
    "VIRTUAL_MACHINE_INSTANCES",
    "VIRTUAL_MACHINE_INSTANCE_MIGRATIONS",
    "VMI_SUBRESOURCES",
    "AlreadyExists",
    "ApiClient",
    "Cache",
    "Client",
    "Conflict",
    "Forbidden",
    "Gone",
    "Informer",
    "Invalid",
    "JsonObject",
    "Kind",
    "KubeError",
    "NotFound",
    "ObjectKey",
    "Transport",
    "Unavailable",
    "WatchStream",
    "as_is",
    "object_key",
    "resource_version",
]

USER_AGENT = "kubenova-operator"
# ``ApiClient`` is the official client's connection (kubeconfig, TLS, pool), re-exported for callers
# that hold one already (tests): ``Transport(api_client)``. Only this package imports ``kubernetes``.
