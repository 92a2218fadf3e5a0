"""openstacksdk and python-novaclient, in process, against the gateway."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import openstack
import pytest
from novaclient import client as novaclient

from tests.fixtures.gateway import CLOUD_NAME, GatewayHandle

pytestmark = [pytest.mark.cluster, pytest.mark.clients]


def _connect(gateway: GatewayHandle, tmp_path: Path, user: str) -> Any:
    clouds = gateway.clouds_yaml(tmp_path / "clouds.yaml", user=user)
    config = openstack.config.OpenStackConfig(config_files=[str(clouds)])
    return openstack.connection.Connection(config=config.get_one(CLOUD_NAME))


def test_sdk_keypair_generation_flavors_and_networks(gateway: GatewayHandle, tmp_path: Path) -> None:
    conn = _connect(gateway, tmp_path, "demo-member")
    name = f"sdk-{uuid.uuid4().hex[:6]}"
    keypair = conn.compute.create_keypair(name=name)  # the SDK pins 2.10: server-side generation
    try:
        assert keypair.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
        assert name in [k.name for k in conn.compute.keypairs()]
    finally:
        conn.compute.delete_keypair(name)
    assert all(f.ram >= 1 for f in conn.compute.flavors())
    assert conn.get_network("private") is not None
    assert [n.name for n in conn.network.networks()] == ["private"]
    assert isinstance(list(conn.image.images()), list)


def test_novaclient_at_its_newest_version(gateway: GatewayHandle, tmp_path: Path) -> None:
    """novaclient 18 speaks at most 2.96, which is inside the gateway's range."""
    conn = _connect(gateway, tmp_path, "demo-reader")
    nova = novaclient.Client("2.96", session=conn.session)
    flavors = nova.flavors.list()
    assert all(f.vcpus >= 1 for f in flavors)
    assert getattr(flavors, "request_ids", [""])[0].startswith("req-")
    assert isinstance(nova.keypairs.list(), list)
