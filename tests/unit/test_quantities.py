"""Kubernetes quantity strings become the numbers Nova's resource model uses (the one parser:
scheduler, simulator and gateway)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kubenova import quantities


@pytest.mark.parametrize(
    ("text", "cores"),
    [("2", 2.0), ("500m", 0.5), ("3900m", 3.9), ("1.5", 1.5), ("0", 0.0), ("250000u", 0.25), ("1e1", 10.0)],
)
def test_parse_cpu_reads_whole_and_milli_cores(text: str, cores: float) -> None:
    assert quantities.parse_cpu(text) == pytest.approx(cores)


@pytest.mark.parametrize(
    ("text", "n_bytes"),
    [
        ("1024", 1024),
        ("1Ki", 1024),
        ("16Mi", 16 * 1024**2),
        ("1.5Gi", 3 * 1024**3 // 2),
        ("2Ti", 2 * 1024**4),
        ("1k", 1000),
        ("1K", 1000),
        ("128M", 128 * 10**6),
        ("4G", 4 * 10**9),
        ("1T", 10**12),
        ("1e3", 1000),
        ("12E3", 12000),
        ("2E", 2 * 10**18),
        ("100m", 1),
    ],
)
def test_parse_bytes_understands_binary_decimal_and_exponent_suffixes(text: str, n_bytes: int) -> None:
    assert quantities.parse_bytes(text) == n_bytes


@pytest.mark.parametrize("text", ["", "Gi", "1 Gi", "1.2.3", "1Xi", "ten", "1e", "--1"])
def test_invalid_quantities_are_rejected_with_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="invalid quantity"):
        quantities.parse_bytes(text)


@pytest.mark.parametrize(
    ("text", "mib", "gib"),
    [("16Gi", 16384, 16), ("16383Mi", 16383, 15), ("1048575Ki", 1023, 0), ("100G", 95367, 93)],
)
def test_capacity_conversions_round_down(text: str, mib: int, gib: int) -> None:
    assert quantities.parse_mib(text) == mib
    assert quantities.parse_gib(text) == gib


@pytest.mark.parametrize(("mb", "gb"), [(0, 0), (1, 1), (1024, 1), (1025, 2), (4096, 4)])
def test_swap_mib_converts_to_whole_gib_rounding_up(mb: int, gb: int) -> None:
    assert quantities.mib_to_gib_ceil(mb) == gb


# The simulator's placement sums exact Decimals (formerly kubevirt_simulator.quantity).
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
        ("5n", Decimal("5e-9")),
        (4, Decimal(4)),
        (0.5, Decimal("0.5")),
    ],
)
def test_parse_quantity_is_exact(text: str | int | float, value: Decimal) -> None:
    assert quantities.parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1Zi", "1.2.3", "--1", True, None])
def test_parse_quantity_rejects_garbage(text: object) -> None:
    with pytest.raises(ValueError, match="invalid quantity"):
        quantities.parse_quantity(text)  # type: ignore[arg-type]


# The gateway's hypervisor view (formerly store/nodes.py): whole cores, MiB and GiB, rounded down,
# and 0 for what is missing or unparsable.
@pytest.mark.parametrize(
    ("raw", "parse", "expected"),
    [
        ("3900m", quantities.whole_cores, 3),
        ("8", quantities.whole_cores, 8),
        (4, quantities.whole_cores, 4),
        ("7500m", quantities.whole_cores, 7),
        ("16Gi", quantities.parse_mib, 16384),
        ("7500Mi", quantities.parse_gib, 7),
        ("1e3", quantities.whole_cores, 1000),
        (None, quantities.parse_mib, 0),
        ("lots", quantities.parse_mib, 0),
        ({"not": "a quantity"}, quantities.whole_cores, 0),
    ],
)
def test_or_default_reads_capacity_leniently(raw: object, parse: object, expected: int) -> None:
    assert quantities.or_default(raw, parse, 0) == expected  # type: ignore[arg-type]
