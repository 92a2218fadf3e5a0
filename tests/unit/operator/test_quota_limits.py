"""Which limits the operator's quota recheck applies to a namespace (``handlers.quota_limits``)."""

from __future__ import annotations

from typing import Any, cast

import pytest

from kubenova.domain import names, quotas
from kubenova.handlers.quota_limits import NotReady, QuotaLimits

IDENTITY = "kubenova-system"


def make(data: dict[str, str], projects: dict[str, str], *, synced: bool = True) -> QuotaLimits:
    """A QuotaLimits whose caches hold ``data`` and the Namespaces ``projects`` (name → id); never
    started (no transport is used)."""
    limits = QuotaLimits(cast(Any, None), IDENTITY, {"instances": 10, "cores": 20, "ram": 51200})
    limits.config.record_write(
        {"metadata": {"name": quotas.CONFIGMAP, "namespace": IDENTITY, "resourceVersion": "7"}, "data": data}
    )
    for name, project_id in projects.items():
        labels = {names.PROJECT_ID_LABEL: project_id}
        limits.projects.record_write({"metadata": {"name": name, "labels": labels, "resourceVersion": "3"}})
    if synced:
        limits.config._synced.set()
        limits.projects._synced.set()
    return limits


def test_a_projects_namespace_gets_its_projects_limits_over_the_defaults() -> None:
    limits = make({"p1.instances": "2", "quota-class.default.ram": "1024"}, {"demo": "p1", "alt": "p2"})
    assert limits.limits("demo") == {"instances": 2, "cores": 20, "ram": 1024}
    assert limits.limits("alt") == {"instances": 10, "cores": 20, "ram": 1024}


def test_a_namespace_that_is_no_project_has_no_nova_quota() -> None:
    assert make({"p1.instances": "0"}, {"demo": "p1"}).limits("t-12345678") is None


def test_no_decision_before_the_caches_have_synced() -> None:
    with pytest.raises(NotReady):
        make({}, {"demo": "p1"}, synced=False).limits("demo")


def test_without_a_configmap_the_defaults_apply() -> None:
    limits = QuotaLimits(cast(Any, None), IDENTITY, quotas.NOVA_DEFAULTS)
    limits.projects.record_write(
        {"metadata": {"name": "demo", "labels": {names.PROJECT_ID_LABEL: "p1"}, "resourceVersion": "1"}}
    )
    limits.config._synced.set()
    limits.projects._synced.set()
    assert limits.limits("demo") == quotas.NOVA_DEFAULTS
