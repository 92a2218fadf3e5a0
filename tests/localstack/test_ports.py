"""free_port hands out listenable ports outside the kernel's ephemeral range."""

from __future__ import annotations

import socket
from pathlib import Path

from kubenova_localstack.ports import free_port, is_free


def test_free_ports_are_bindable_distinct_and_not_ephemeral() -> None:
    ephemeral_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = [free_port() for _ in range(20)]
    assert len(set(ports)) == len(ports)
    for port in ports:
        assert port < ephemeral_low
        with socket.create_server(("127.0.0.1", port)):
            pass


def test_is_free_sees_a_listener() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        assert not is_free(port)
    assert is_free(port)
