"""``POST /servers/{id}/action {"rescue": ...}`` / ``{"unrescue": null}``: Nova's schema, the
guards (policy, lock, state), the rescue image check, the 200 body with ``adminPass``, the
``spec.rescue`` intent written, and both carried out: the VM boots a rescue DataVolume first with
the root disk second (RESCUE), then its own disks again (ACTIVE), with instance actions and
their events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from kubernetes import client

from tests.api.test_server_rebuild import server_object
from tests.api.test_server_support import (
    LATEST,
    SERVERS,
    ServerFactory,
    boot,
    create_image,
    delete_image,
    servers,
)
from tests.fixtures.gateway import GatewayHandle
from tests.support.cluster import Cluster
from tests.support.storage import Storage, phase
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]
RESCUE_URL = "https://images.example/rescue.img"


@pytest.fixture
def rescue_image(cluster: Cluster, gateway: GatewayHandle) -> Iterator[tuple[str, str]]:
    image_id, name = create_image(cluster, gateway, volumeSource={"http": {"url": RESCUE_URL}})
    try:
        yield image_id, name
    finally:
        delete_image(cluster, name)


def act(
    servers: ServerFactory, server_id: str, body: Any, *, user: str = "demo-member", version: str = LATEST
) -> httpx.Response:
    with servers.gateway.client(user, version=version) as http:
        return http.post(f"{SERVERS}/{server_id}/action", json=body)


def fault(response: httpx.Response, code: int) -> str:
    assert response.status_code == code, response.text
    ((_, body),) = response.json().items()
    return str(body["message"])


def vm_and_dv(
    cluster: Cluster, server: dict[str, Any], dv: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    name, namespace = server["metadata"]["name"], server["metadata"]["namespace"]
    with cluster.connected() as api:
        vm = client.CustomObjectsApi(api).get_namespaced_custom_object(
            "kubevirt.io", "v1", namespace, "virtualmachines", name
        )
        return vm, Storage(api, namespace).dv(f"{name}-{dv}")


def boot_disks(vm: dict[str, Any]) -> list[tuple[str, int | None]]:
    return [
        (d["name"], d.get("bootOrder")) for d in vm["spec"]["template"]["spec"]["domain"]["devices"]["disks"]
    ]


def events_of(servers: ServerFactory, server_id: str, action: str) -> list[tuple[str, str]]:
    with servers.gateway.client("admin") as http:
        listed = http.get(f"{SERVERS}/{server_id}/os-instance-actions").json()["instanceActions"]
        request_id = next(a["request_id"] for a in listed if a["action"] == action)
        detail = http.get(f"{SERVERS}/{server_id}/os-instance-actions/{request_id}").json()
    return [(e["event"], e["result"]) for e in detail["instanceAction"]["events"]]


def test_rescue_answers_an_admin_pass_and_boots_the_rescue_disk_then_unrescue_restores(
    servers: ServerFactory, cluster: Cluster, rescue_image: tuple[str, str]
) -> None:
    image_id, image_name = rescue_image
    server_id = servers.active()["id"]
    root = vm_and_dv(cluster, server_object(cluster, server_id), "root")[1]
    assert root is not None
    root_uid = root["metadata"]["uid"]

    response = act(servers, server_id, {"rescue": {"adminPass": "s3cret", "rescue_image_ref": image_id}})
    assert response.status_code == 200, response.text  # Nova's rescue answers 200, not 202
    assert response.json() == {"adminPass": "s3cret"}
    intent = server_object(cluster, server_id)["spec"]["rescue"]
    assert intent["state"] == "Rescued"
    assert intent["image"] == image_name
    assert intent["requestId"].startswith("req-")

    rescued = servers.wait_status(server_id, "RESCUE")
    assert rescued["OS-EXT-STS:vm_state"] == "rescued"
    assert rescued["OS-EXT-STS:power_state"] == 1
    vm, rescue_dv = vm_and_dv(cluster, server_object(cluster, server_id), "rescue")
    assert boot_disks(vm)[:2] == [("rescuedisk", 1), ("rootdisk", None)]
    assert rescue_dv is not None
    assert rescue_dv["spec"]["source"] == {"http": {"url": RESCUE_URL}}
    assert phase(rescue_dv) == "Succeeded"
    assert events_of(servers, server_id, "rescue") == [("compute_rescue_instance", "Success")]

    # Only an unrescue is allowed now (Nova: a rescued server cannot be stopped or rescued again).
    assert fault(act(servers, server_id, {"rescue": None}), 409) == (
        f"Cannot 'rescue' instance {server_id} while it is in vm_state rescued"
    )
    assert fault(act(servers, server_id, {"os-stop": None}), 409).startswith("Cannot 'stop' instance")
    response = act(servers, server_id, {"unrescue": None})
    assert response.status_code == 202, response.text
    assert response.content == b""
    spec = server_object(cluster, server_id)["spec"]
    assert spec["rescue"]["state"] == "Unrescued"
    assert "image" not in spec["rescue"]
    assert spec["powerState"] == "Running"
    servers.wait_status(server_id, "ACTIVE")
    vm, rescue_dv = vm_and_dv(cluster, server_object(cluster, server_id), "rescue")
    assert boot_disks(vm)[0] == ("rootdisk", 1)
    assert "rescuedisk" not in [d for d, _ in boot_disks(vm)]
    assert rescue_dv is None
    root = vm_and_dv(cluster, server_object(cluster, server_id), "root")[1]
    assert root is not None
    assert root["metadata"]["uid"] == root_uid  # the same root disk throughout
    assert events_of(servers, server_id, "unrescue") == [("compute_unrescue_instance", "Success")]


def test_rescue_schema_guards_and_image_check(servers: ServerFactory, cluster: Cluster) -> None:
    server_id = servers.active()["id"]
    missing = "6e1fd7e4-0000-4000-8000-000000000000"
    bad_ref = act(servers, server_id, {"rescue": {"rescue_image_ref": "cirros"}})
    assert fault(bad_ref, 400).endswith("'cirros' is not a 'uuid'")
    extra = act(servers, server_id, {"rescue": {"image": missing}})
    assert "Additional properties are not allowed ('image' was unexpected)" in fault(extra, 400)
    not_object = act(servers, server_id, {"rescue": "now"})
    assert fault(not_object, 400).endswith("'now' is not of type 'object', 'null'")
    unknown = act(servers, server_id, {"rescue": {"rescue_image_ref": missing}})
    assert fault(unknown, 400) == f"Requested rescue image '{missing}' is not supported"
    assert fault(act(servers, server_id, {"unrescue": None}), 409) == (
        f"Cannot 'unrescue' instance {server_id} while it is in vm_state active"
    )
    assert act(servers, server_id, {"rescue": None}, user="demo-reader").status_code == 403
    assert act(servers, server_id, {"lock": None}, user="admin").status_code == 202
    assert fault(act(servers, server_id, {"rescue": None}), 409) == f"Instance {server_id} is locked"
    assert act(servers, server_id, {"unlock": None}, user="admin").status_code == 202
    assert "rescue" not in server_object(cluster, server_id)["spec"]  # nothing written so far

    # From SHUTOFF, with the server's own image and a generated password.
    assert act(servers, server_id, {"os-stop": None}).status_code == 202
    servers.wait_status(server_id, "SHUTOFF")
    response = act(servers, server_id, {"rescue": None})
    assert response.status_code == 200, response.text
    assert len(response.json()["adminPass"]) == 12
    again = act(servers, server_id, {"rescue": None})
    assert fault(again, 409) == f"Cannot 'rescue' instance {server_id} while it is in task_state rescuing"
    assert server_object(cluster, server_id)["spec"]["rescue"].get("image") is None
    servers.wait_status(server_id, "RESCUE")
    assert act(servers, server_id, {"lock": None}, user="admin").status_code == 202
    assert fault(act(servers, server_id, {"unrescue": None}), 409) == f"Instance {server_id} is locked"
    assert act(servers, server_id, {"unrescue": None}, user="admin").status_code == 202
    done = servers.wait_status(server_id, "ACTIVE")
    assert done["OS-EXT-STS:power_state"] == 1
    wait_for(
        lambda: vm_and_dv(cluster, server_object(cluster, server_id), "rescue")[1] is None,
        timeout=10,
        message="rescue DataVolume gone",
    )
