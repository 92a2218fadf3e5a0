"""Free TCP ports on 127.0.0.1 for control-plane listeners.

Ports come from *below* the kernel's ephemeral range on purpose: a port handed out by binding to 0
is an ephemeral port, and between our probe and the server's bind the kernel may give that very port
to an outgoing connection (kube-apiserver opens many to etcd). Below the range only another listener
can take it, which callers handle by retrying with fresh ports (see ``controlplane``).
"""

from __future__ import annotations

import errno
import random
import socket
from pathlib import Path

_FALLBACK_LOW = 20000
_handed_out: set[int] = set()


def _ephemeral_low() -> int:
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text()
        return int(text.split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _range() -> tuple[int, int]:
    high = _ephemeral_low() - 1
    low = _FALLBACK_LOW if high - _FALLBACK_LOW > 2000 else 10000
    return low, high


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on, not handed out before by this process."""
    low, high = _range()
    rng = random.SystemRandom()
    for _ in range(500):
        port = rng.randint(low, high)
        if port in _handed_out:
            continue
        if is_free(port, host):
            _handed_out.add(port)
            return port
    raise RuntimeError(f"no free TCP port found in {low}-{high} on {host}")
