"""The gateway's quota pre-check (``compute.quotas.check``): it counts the project's Servers only
when a server resource is limited; an unlimited project's create reads none of them (counting was
O(the project's servers) per create, most of the gateway's CPU per create at 10,000 servers)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from kubenova.domain import quotas as domain_quotas
from kubenova_api import errors
from kubenova_api.compute import quotas
from kubenova_api.settings import QuotaDefaults
from tests.unit.operator import factories as f

UNLIMITED = {"instances": -1, "cores": -1, "ram": -1}


class Servers:
    def __init__(self, count: int) -> None:
        self.count, self.listed = count, 0

    def list(self, namespace: str) -> list[Any]:
        self.listed += 1
        return [f.server(name=f"s-{i}", uid=f"u-{i}") for i in range(self.count)]


def _store(limits: dict[str, int], servers: Servers) -> Any:
    return SimpleNamespace(
        quotas=SimpleNamespace(limits=lambda project, defaults: limits),
        servers=servers,
        flavors=SimpleNamespace(crs=SimpleNamespace(get=lambda name: None)),
    )


def _check(limits: dict[str, int], servers: Servers) -> None:
    quotas.check(
        _store(limits, servers), "p1", namespace="p1-ns", settings_defaults=QuotaDefaults(), instances=1
    )


def test_an_unlimited_project_is_not_counted() -> None:
    servers = Servers(3)
    _check(UNLIMITED, servers)
    assert servers.listed == 0


def test_a_limited_project_is_counted_and_refused_at_its_limit() -> None:
    servers = Servers(3)
    with pytest.raises(errors.QuotaExceededError):
        _check({**UNLIMITED, "instances": 3}, servers)
    assert servers.listed == 1
    _check({**UNLIMITED, "instances": 4}, servers)


@pytest.mark.parametrize(
    ("limits", "unlimited"),
    [(UNLIMITED, True), ({}, True), ({**UNLIMITED, "ram": 0}, False), ({**UNLIMITED, "key_pairs": 1}, True)],
)
def test_unlimited_means_every_server_resource(limits: dict[str, int], unlimited: bool) -> None:
    assert domain_quotas.unlimited(limits) is unlimited
