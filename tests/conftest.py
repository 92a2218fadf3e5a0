"""Shared pytest configuration: fixtures live in tests/fixtures/, one module per component."""

pytest_plugins = [
    "tests.fixtures.cluster",
    "tests.fixtures.simulator",
    "tests.fixtures.operator",
    "tests.fixtures.gateway",
]
