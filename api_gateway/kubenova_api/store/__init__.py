"""The gateway's only door to Kubernetes: CR and Secret reads (from watch caches) and writes.

Reads never LIST per request: each kind has an informer (list + watch in a background thread)
and readers see its cache. Writes go to the API server and are put in the cache before they
return (read-your-writes). The store keeps no state of its own beyond those caches.

Kubernetes is reached through ``kubenova.k8s`` (the project's one client stack); ``store.kube`` is
the boundary: the connection, the one mapping of its errors to Nova errors, 503 until synced.

Adding a kind: build a ``CustomResourceStore(kube, Model)`` in ``Store.__init__``, wrap it in a
small typed class if Nova ids need mapping (see ``flavors.py``), and it is watched.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from kubenova import k8s
from kubenova.resources import Aggregate, Flavor, Image, Keypair
from kubenova_api.store.aggregates import AggregateStore
from kubenova_api.store.custom_resources import CustomResourceStore
from kubenova_api.store.flavors import FlavorStore
from kubenova_api.store.guest_credentials import GuestCredentialStore
from kubenova_api.store.images import ImageStore
from kubenova_api.store.instances import InstanceStore
from kubenova_api.store.keypairs import KeypairStore
from kubenova_api.store.kube import Informer
from kubenova_api.store.login_failures import LoginFailureStore
from kubenova_api.store.migrations import MigrationStore
from kubenova_api.store.namespaces import NamespaceStore
from kubenova_api.store.nodes import NodeStore
from kubenova_api.store.quotas import QuotaStore
from kubenova_api.store.revocations import RevocationStore
from kubenova_api.store.secrets import SecretData, SecretStore
from kubenova_api.store.server_groups import ServerGroupStore
from kubenova_api.store.server_records import ServerRecordStore
from kubenova_api.store.servers import ServerStore

log = logging.getLogger(__name__)

__all__ = ["SecretData", "Store"]


class Store:
    """All caches and writers of one gateway process."""

    def __init__(self, kube: k8s.Client, *, identity_namespace: str, compute_node_selector: str = "") -> None:
        self.kube = kube
        self.flavors = FlavorStore(CustomResourceStore(kube, Flavor))
        self.images = ImageStore(CustomResourceStore(kube, Image))
        self.keypairs = KeypairStore(CustomResourceStore(kube, Keypair))
        self.servers = ServerStore(kube)
        self.server_records = ServerRecordStore(kube)
        self.migrations = MigrationStore(kube)
        self.server_groups = ServerGroupStore(kube)
        self.instances = InstanceStore(kube)
        self.guest_credentials = GuestCredentialStore(kube)
        self.aggregates = AggregateStore(kube, CustomResourceStore(kube, Aggregate))
        self.nodes = NodeStore(kube, label_selector=compute_node_selector)
        self.quotas = QuotaStore(kube, identity_namespace)
        self.secrets = SecretStore(kube, identity_namespace)
        self.revocations = RevocationStore(kube, identity_namespace)
        self.login_failures = LoginFailureStore(kube, identity_namespace)
        self.namespaces = NamespaceStore(kube)

    def informers(self) -> list[Informer[Any]]:
        crs: list[Informer[Any]] = [
            self.flavors.crs.informer,
            self.images.crs.informer,
            self.keypairs.crs.informer,
            self.servers.informer,
            self.server_records.informer,
            self.migrations.informer,
            self.server_groups.informer,
            self.aggregates.crs.informer,
            self.nodes.informer,
            self.quotas.informer,
            self.revocations.informer,
        ]
        return crs + self.secrets.informers

    def start(self) -> None:
        for informer in self.informers():
            informer.start()

    def stop(self) -> None:
        for informer in self.informers():
            informer.stop()

    def wait_synced(self, timeout: float) -> list[str]:
        """Wait for every cache's first list; returns the names still not synced."""
        deadline = time.monotonic() + timeout
        for informer in self.informers():
            informer.wait_synced(max(0.0, deadline - time.monotonic()))
        return [informer.name for informer in self.informers() if not informer.synced]
