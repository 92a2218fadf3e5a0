"""``/extensions``: Nova's records of the API groups kubenova serves; anyone with a token."""

from __future__ import annotations

import pytest

from tests.api.samples import assert_sample
from tests.fixtures.gateway import GatewayHandle

pytestmark = pytest.mark.cluster

EXTENSIONS = "/compute/v2.1/extensions"


def test_list_and_show(gateway: GatewayHandle) -> None:
    with gateway.client("demo-reader") as http:
        listed = http.get(EXTENSIONS)
        shown = http.get(f"{EXTENSIONS}/os-hosts")
        missing = http.get(f"{EXTENSIONS}/os-volumes")
    assert listed.status_code == 200
    extensions = listed.json()["extensions"]
    aliases = [e["alias"] for e in extensions]
    assert aliases == sorted(aliases)
    assert {"os-aggregates", "os-hosts", "os-keypairs", "OS-EXT-AZ"} <= set(aliases)
    assert "os-volumes" not in aliases  # kubenova has no volumes
    assert all(
        set(e) == {"alias", "description", "links", "name", "namespace", "updated"} for e in extensions
    )
    assert shown.status_code == 200
    assert shown.json() == {
        "extension": {
            "alias": "os-hosts",
            "description": "Admin-only host administration.",
            "links": [],
            "name": "Hosts",
            "namespace": "http://docs.openstack.org/compute/ext/fake_xml",
            "updated": "2014-12-03T00:00:00Z",
        }
    }
    assert missing.status_code == 404
    assert_sample("extensions", "2.1", "extensions-list-resp", listed.json(), base_url=gateway.url)


def test_needs_a_token(gateway: GatewayHandle) -> None:
    with gateway.client() as http:
        assert http.get(EXTENSIONS).status_code == 401
