"""Idle keep-alive connections outlive the clients' polling interval.

``openstack server create --wait`` polls every 5 s on one keep-alive connection; uvicorn's default
closes idle connections after 5 s, so the next poll raced the close and failed with "Connection
reset by peer". The gateway keeps idle connections open for ``keep_alive_seconds``.
"""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

import pytest

from tests.fixtures.gateway import GatewayHandle

pytestmark = pytest.mark.cluster


def test_a_connection_idle_longer_than_the_cli_poll_interval_is_still_served(gateway: GatewayHandle) -> None:
    url = urlsplit(gateway.url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        connection.request("GET", "/compute/v2.1")
        first = connection.getresponse()
        first.read()
        assert first.status == 200
        time.sleep(6.5)  # longer than `--wait`'s 5 s poll and uvicorn's default keep-alive
        connection.request("GET", "/compute/v2.1")
        second = connection.getresponse()
        second.read()
        assert second.status == 200
    finally:
        connection.close()
