"""Shared pytest configuration: fixtures live in tests/fixtures/, one module per component."""

from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.fixtures.cluster",
    "tests.fixtures.simulator",
    "tests.fixtures.operator",
    "tests.fixtures.gateway",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the real cluster, so ``-m "not cluster"`` runs the fast ones only."""
    for item in items:
        if "cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.cluster)
