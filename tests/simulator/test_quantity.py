"""Kubernetes quantity parsing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kubevirt_simulator.quantity import parse_quantity


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("16", Decimal(16)),
        ("500m", Decimal("0.5")),
        ("64Gi", Decimal(64 * 2**30)),
        ("1.5Gi", Decimal(3 * 2**29)),
        ("2k", Decimal(2000)),
        ("1e3", Decimal(1000)),
        ("100M", Decimal(10**8)),
        (4, Decimal(4)),
    ],
)
def test_parse(text: str | int, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1Zi", "1.2.3", "--1"])
def test_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="invalid quantity"):
        parse_quantity(text)
