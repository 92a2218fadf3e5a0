"""``GET /servers/{id}/topology``'s body (``compute.server_topology``): one guest cell where Nova
would give the instance a NUMA topology, none otherwise."""

from __future__ import annotations

from typing import Any, cast

from kubenova_api.compute.server_topology import topology
from kubenova_api.store import Store
from tests.unit.operator import factories


class _Images:
    def __init__(self, properties: dict[str, str]) -> None:
        self.properties = properties

    def find(self, image_id: str) -> Any:
        return factories.image(properties=self.properties) if image_id == "img-1" else None


class _Store:
    def __init__(self, properties: dict[str, str] | None = None) -> None:
        self.images = _Images(properties or {})


def _server(vcpus: int, extra_specs: dict[str, str]) -> Any:
    flavor = {"id": "f", "name": "f", "vcpus": vcpus, "ram": 2048, "extraSpecs": extra_specs}
    return factories.server(status={"vmState": "active", "flavor": flavor, "imageId": "img-1"})


def _shown(vcpus: int, extra_specs: dict[str, str], properties: dict[str, str] | None = None) -> Any:
    return topology(cast(Store, _Store(properties)), _server(vcpus, extra_specs))


def test_a_plain_server_has_no_numa_topology() -> None:
    assert _shown(2, {}) == {"nodes": [], "pagesize_kb": None}


def test_dedicated_cpus_give_one_cell_with_every_vcpu_and_all_memory() -> None:
    shown = _shown(4, {"hw:cpu_policy": "dedicated", "hw:cpu_threads": "2"})
    assert shown == {
        "nodes": [{"vcpu_set": [0, 1, 2, 3], "siblings": [[0, 1], [2, 3]], "memory_mb": 2048}],
        "pagesize_kb": None,
    }


def test_a_page_size_is_shown_in_kib() -> None:
    assert _shown(2, {"hw:mem_page_size": "2MB"})["pagesize_kb"] == 2048
    assert _shown(2, {"hw:mem_page_size": "large"})["pagesize_kb"] == 2048
    assert _shown(2, {"hw:mem_page_size": "small"})["pagesize_kb"] == 4
    assert _shown(2, {"hw:mem_page_size": "any"}, {"hw_mem_page_size": "1GB"})["pagesize_kb"] == 1048576
