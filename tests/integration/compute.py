"""Helpers for operator integration tests: kubenova and KubeVirt objects through the official
client, and waits on what the operator writes. Everything goes to the real API server."""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.support.wait import wait_for

GROUP, VERSION = "compute.kubenova.io", "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
KUBEVIRT = ("kubevirt.io", "v1")
SERVER_LABEL = "compute.kubenova.io/server"
AZ_LABEL = "compute.kubenova.io/availability-zone"
REQUESTS_ANNOTATION = "compute.kubenova.io/requests"
SETTLED = ("ACTIVE", "SHUTOFF", "ERROR")

Obj = dict[str, Any]


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


def ignore_missing(call: Callable[[], object]) -> None:
    try:
        call()
    except ApiException as exc:
        if exc.status != 404:
            raise


@dataclass
class Compute:
    """kubenova objects for one test: Servers in ``namespace``, cluster-scoped kinds it created
    itself (deleted again by ``cleanup``)."""

    api: client.ApiClient
    namespace: str
    created: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.custom = client.CustomObjectsApi(self.api)
        self.core = client.CoreV1Api(self.api)

    # ----- cluster-scoped kinds ---------------------------------------------------------------

    def create_cluster_object(self, plural: str, kind: str, name: str, spec: dict[str, Any]) -> Obj:
        body = {"apiVersion": API_VERSION, "kind": kind, "metadata": {"name": name}, "spec": spec}
        created = cast(Obj, self.custom.create_cluster_custom_object(GROUP, VERSION, plural, body))
        self.created.append((plural, name))
        return created

    def flavor(self, *, vcpus: int = 1, ram: int = 128, disk: int = 1, **spec: Any) -> str:
        name = unique("flv")
        self.create_cluster_object(
            "flavors", "Flavor", name, {"vcpus": vcpus, "ram": ram, "disk": disk, **spec}
        )
        return name

    def image(self, name: str | None = None, **spec: Any) -> str:
        name = name or unique("img")
        source = {"image": "quay.io/kubevirt/cirros-container-disk-demo:v1.4.0"}
        self.create_cluster_object("images", "Image", name, {"containerDisk": source, **spec})
        return name

    def keypair(self, public_key: str, **spec: Any) -> str:
        name = unique("kp")
        self.create_cluster_object("keypairs", "Keypair", name, {"publicKey": public_key, **spec})
        return name

    def aggregate(self, *, zone: str | None, hosts: list[str], **spec: Any) -> str:
        name = unique("agg")
        body: dict[str, Any] = {"hosts": hosts, **spec}
        if zone is not None:
            body["availabilityZone"] = zone
        self.create_cluster_object("aggregates", "Aggregate", name, body)
        return name

    def get_cluster_object(self, plural: str, name: str) -> Obj:
        return cast(Obj, self.custom.get_cluster_custom_object(GROUP, VERSION, plural, name))

    def patch_cluster_object(self, plural: str, name: str, patch: dict[str, Any]) -> None:
        self.custom.patch_cluster_custom_object(GROUP, VERSION, plural, name, patch)

    def delete_cluster_object(self, plural: str, name: str) -> None:
        ignore_missing(lambda: self.custom.delete_cluster_custom_object(GROUP, VERSION, plural, name))

    # ----- servers ------------------------------------------------------------------------------

    def create_server(self, object_name: str, *, flavor: str, image: str, **spec: Any) -> Obj:
        body = {
            "apiVersion": API_VERSION,
            "kind": "Server",
            "metadata": {"name": object_name},
            "spec": {"flavor": flavor, "image": image, **spec},
        }
        return cast(
            Obj, self.custom.create_namespaced_custom_object(GROUP, VERSION, self.namespace, "servers", body)
        )

    def server(self, name: str) -> Obj:
        return cast(
            Obj, self.custom.get_namespaced_custom_object(GROUP, VERSION, self.namespace, "servers", name)
        )

    def servers(self) -> list[Obj]:
        listing = cast(
            Obj, self.custom.list_namespaced_custom_object(GROUP, VERSION, self.namespace, "servers")
        )
        items: list[Obj] = listing["items"]
        return items

    def patch_server(
        self, name: str, spec: dict[str, Any], annotations: dict[str, str] | None = None
    ) -> None:
        patch: dict[str, Any] = {"spec": spec}
        if annotations:
            patch["metadata"] = {"annotations": annotations}
        self.custom.patch_namespaced_custom_object(GROUP, VERSION, self.namespace, "servers", name, patch)

    def patch_before_image(self, name: str, spec: Callable[[str], dict[str, Any]], **image_spec: Any) -> str:
        """``kubectl apply`` of a change to Server ``name`` naming a new Image (``spec(image)``),
        then, 0.5 s later, of that Image: the change is seen first, and the Image comes well within
        the operator's reference grace period (2 s in tests). Returns the Image's name."""
        late = unique("img-late")
        self.patch_server(name, spec(late))
        time.sleep(0.5)
        self.image(late, **image_spec)
        return late

    def delete_server(self, name: str) -> None:
        ignore_missing(
            lambda: self.custom.delete_namespaced_custom_object(
                GROUP, VERSION, self.namespace, "servers", name
            )
        )

    def wait_status(self, name: str, status: str, *, timeout: float = 60, task: str | None = None) -> Obj:
        """Wait until the Server's Nova status is ``status`` (and its task ``task``, idle by default)."""

        def reached() -> Obj | None:
            server = self.server(name)
            current = server.get("status") or {}
            if current.get("status") == status and current.get("taskState") == task:
                return server
            return None

        result = wait_for(reached, timeout=timeout, message=f"server {name} {status}/{task}")
        assert result is not None
        return result

    def wait_gone(self, name: str, *, timeout: float = 60) -> None:
        def gone() -> bool:
            try:
                self.server(name)
            except ApiException as exc:
                if exc.status == 404:
                    return True
                raise
            return False

        wait_for(gone, timeout=timeout, message=f"server {name} deleted")

    # ----- KubeVirt -----------------------------------------------------------------------------

    def vm(self, name: str) -> Obj | None:
        return self._kubevirt("virtualmachines", name)

    def vmi(self, name: str) -> Obj | None:
        return self._kubevirt("virtualmachineinstances", name)

    def vms(self) -> list[Obj]:
        listing = cast(
            Obj, self.custom.list_namespaced_custom_object(*KUBEVIRT, self.namespace, "virtualmachines")
        )
        items: list[Obj] = listing["items"]
        return items

    def _kubevirt(self, plural: str, name: str) -> Obj | None:
        try:
            found = cast(
                Obj, self.custom.get_namespaced_custom_object(*KUBEVIRT, self.namespace, plural, name)
            )
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return found

    def events_for(self, name: str) -> list[str]:
        """Reasons of the Events posted on Server ``name``."""
        events = self.core.list_namespaced_event(
            self.namespace, field_selector=f"involvedObject.kind=Server,involvedObject.name={name}"
        )
        return [str(e.reason) for e in events.items]

    def wait_events(self, name: str, *reasons: str, timeout: float = 10) -> list[str]:
        """The reasons of Server ``name``'s Events once ``reasons`` are among them: the operator
        posts an Event after the status write it announces, so it may land a moment later."""
        return wait_for(
            lambda: (found := self.events_for(name)) and set(reasons) <= set(found) and found,
            timeout=timeout,
            message=f"Events {sorted(reasons)} posted on Server {name}",
        )

    def event_messages(self, name: str, reason: str) -> list[str]:
        events = self.core.list_namespaced_event(
            self.namespace, field_selector=f"involvedObject.kind=Server,involvedObject.name={name}"
        )
        return [str(e.message) for e in events.items if e.reason == reason]

    # ----- teardown -----------------------------------------------------------------------------

    def cleanup(self) -> None:
        """Delete the test's Servers (so their VMs go while the operator runs) and its
        cluster-scoped objects."""
        with contextlib.suppress(ApiException):
            for server in self.servers():
                self.delete_server(server["metadata"]["name"])
        for plural, name in reversed(self.created):
            self.delete_cluster_object(plural, name)
