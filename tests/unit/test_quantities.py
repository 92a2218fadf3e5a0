"""Kubernetes quantity strings become the numbers Nova's resource model uses."""

from __future__ import annotations

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
