"""Golden samples of the servers API per microversion (``tests/api/samples/servers/v<version>/``).

Beyond what ``samples.normalise`` replaces (URLs, UUIDs, 32-hex ids, timestamps), values that
differ per run are replaced by placeholders here: the host, addresses, the flavor's and the
VM object's generated names, hostId, the admin password and the reservation id.
``KUBENOVA_UPDATE_SAMPLES=1`` rewrites the files (review the diff).
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from tests.api.samples import assert_sample
from tests.api.test_server_support import LATEST, SERVERS, ServerFactory, boot, servers

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]

SHOW_VERSIONS = (
    "2.1",
    "2.9",
    "2.16",
    "2.19",
    "2.26",
    "2.47",
    "2.63",
    "2.73",
    "2.90",
    "2.96",
    "2.98",
    "2.100",
)
ADMIN_VERSIONS = ("2.1", "2.3", "2.16", "2.100")
_HOST_ID = re.compile(r"\b[0-9a-f]{56}\b")
_RESERVATION = re.compile(r"\br-[0-9a-z]{8}\b")


class Scrubber:
    """Replaces run-specific values by placeholders."""

    def __init__(self, admin_view: dict[str, Any], servers: ServerFactory) -> None:
        (address,) = admin_view["addresses"]["private"]
        self.values = {
            admin_view["OS-EXT-SRV-ATTR:host"]: "<host>",
            admin_view["OS-EXT-SRV-ATTR:instance_name"]: "<instance_name>",
            address["addr"]: "<ip>",
            address["OS-EXT-IPS-MAC:mac_addr"]: "<mac>",
            servers.boot.flavor_id: "<flavor>",
        }

    def __call__(self, body: Any) -> Any:
        text = json.dumps(body, sort_keys=True)
        for value, placeholder in sorted(self.values.items(), key=lambda item: -len(item[0])):
            text = text.replace(json.dumps(value)[1:-1], placeholder)
        text = _HOST_ID.sub("<hostId>", text)
        text = _RESERVATION.sub("<reservation_id>", text)
        return json.loads(text)


def _get(http: httpx.Client, path: str) -> Any:
    response = http.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def test_samples(servers: ServerFactory) -> None:
    base = servers.gateway.url
    body = servers.body("sample-vm", metadata={"purpose": "samples"}, description="golden", tags=["gold"])
    response = servers.post(body=body)
    assert response.status_code == 202, response.text
    created = response.json()
    created["server"]["adminPass"] = "<password>"
    server_id = created["server"]["id"]
    servers.wait_status(server_id, "ACTIVE")
    with servers.gateway.client("admin", version=LATEST) as http:
        scrub = Scrubber(_get(http, f"{SERVERS}/{server_id}")["server"], servers)
    assert_sample("servers", LATEST, "server-create-resp", scrub(created), base_url=base)

    for version in SHOW_VERSIONS:
        with servers.gateway.client("demo-member", version=version) as http:
            shown = scrub(_get(http, f"{SERVERS}/{server_id}"))
            assert_sample("servers", version, "server-get-resp", shown, base_url=base)
    for version in ADMIN_VERSIONS:
        with servers.gateway.client("admin", version=version) as http:
            shown = scrub(_get(http, f"{SERVERS}/{server_id}"))
            assert_sample("servers", version, "server-get-resp-admin", shown, base_url=base)

    with servers.gateway.client("demo-member", version=LATEST) as http:
        listed = scrub(_get(http, f"{SERVERS}?name=^sample-vm$"))
        assert_sample("servers", LATEST, "servers-list-resp", listed, base_url=base)
        detail = scrub(_get(http, f"{SERVERS}/detail?name=^sample-vm$"))
        assert_sample("servers", LATEST, "servers-details-resp", detail, base_url=base)
        ips = scrub(_get(http, f"{SERVERS}/{server_id}/ips"))
        assert_sample("servers", LATEST, "server-ips-resp", ips, base_url=base)
        tags = _get(http, f"{SERVERS}/{server_id}/tags")
        assert_sample("servers", "2.26", "server-tags-index-resp", tags, base_url=base)
        updated = http.put(f"{SERVERS}/{server_id}", json={"server": {"name": "sample-vm"}})
        assert_sample("servers", LATEST, "server-update-resp", scrub(updated.json()), base_url=base)
        stop = http.post(f"{SERVERS}/{server_id}/action", json={"os-stop": None})
        assert stop.status_code == 202
    servers.wait_status(server_id, "SHUTOFF")
    with servers.gateway.client("demo-member") as http:
        metadata = _get(http, f"{SERVERS}/{server_id}/metadata")
        assert_sample("servers", "2.1", "server-metadata-all-resp", metadata, base_url=base)
    for version in ("2.1", "2.58", "2.84"):
        with servers.gateway.client("demo-member", version=version) as http:
            actions = _get(http, f"{SERVERS}/{server_id}/os-instance-actions")
            assert_sample("servers", version, "instance-actions-list-resp", scrub(actions), base_url=base)
            stop_id = next(a["request_id"] for a in actions["instanceActions"] if a["action"] == "stop")
            action = _get(http, f"{SERVERS}/{server_id}/os-instance-actions/{stop_id}")
            assert_sample("servers", version, "instance-action-get-resp", scrub(action), base_url=base)
