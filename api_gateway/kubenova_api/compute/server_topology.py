"""``GET /servers/{id}/topology`` (2.78): the guest NUMA topology Nova would have given the server.

Nova gives an instance a NUMA topology when its flavor or image asks for one of the things that
need it: dedicated CPUs (``hw:cpu_policy``), a memory page size (``hw:mem_page_size``) or guest NUMA
nodes (``hw:numa_nodes``); kubenova shapes the VM from the same keys (``domain.guest_shape``).
Such a guest is one cell holding every vCPU and all memory (kubenova asks KubeVirt for no split
into several guest nodes), with the page size asked for; every other server has none. Which host
cells and CPUs KubeVirt pinned it to is not reported by KubeVirt, so the admin-only host fields
(``host_node``, ``cpu_pinning``) are left out rather than guessed.
"""

from __future__ import annotations

from typing import Any

from kubenova.domain import guest_shape
from kubenova.resources.server import Server
from kubenova_api.store import Store


def topology(store: Store, server: Server) -> dict[str, Any]:
    flavor = server.status.flavor
    if flavor is None:
        return {"nodes": [], "pagesize_kb": None}
    image = store.images.find(server.status.image_id) if server.status.image_id else None
    properties = dict(image.spec.properties) if image is not None else {}
    specs = dict(flavor.extra_specs)
    try:
        shape = guest_shape.shape(flavor.vcpus, specs, properties)
        page = guest_shape.page_size_kib(specs, properties)
    except guest_shape.GuestShapeError:
        return {"nodes": [], "pagesize_kb": None}  # never built: Nova refused it too
    numa = bool(specs.get("hw:numa_nodes") or properties.get("hw_numa_nodes"))
    if not (shape.dedicated_cpus or page is not None or numa):
        return {"nodes": [], "pagesize_kb": None}
    threads = shape.topology.threads
    vcpus = list(range(flavor.vcpus))
    siblings = [vcpus[i : i + threads] for i in range(0, len(vcpus), threads)] if threads > 1 else []
    cell = {"vcpu_set": vcpus, "siblings": siblings, "memory_mb": flavor.ram}
    return {"nodes": [cell], "pagesize_kb": _page_kib(page)}


def _page_kib(page: int | str | None) -> int | None:
    if page is None:
        return None
    if page == "large":
        return 2048
    if isinstance(page, int):
        return page
    return guest_shape.SMALL_PAGE_KIB  # small, or any (the smallest page the host offers)
