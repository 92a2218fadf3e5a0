"""``GET /servers/{id}/topology`` (2.78): the guest's NUMA topology as Nova's view shows it.

kubenova builds no guest NUMA topology (no ``hw:numa_nodes``, CPU pinning or huge pages on the VM
yet), so every server is what Nova calls an instance without ``numa_topology``: no nodes, no page
size (``server_topology.py``'s answer for that case).
"""

from __future__ import annotations

from typing import Any


def without_numa_topology() -> dict[str, Any]:
    return {"nodes": [], "pagesize_kb": None}
