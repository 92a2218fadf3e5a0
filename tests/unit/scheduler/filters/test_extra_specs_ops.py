"""The extra-spec value language: plain equality, numeric and string operators, <in>, <all-in>, <or>."""

from __future__ import annotations

import pytest

from kubenova.scheduler.filters.extra_specs_ops import match


@pytest.mark.parametrize(
    ("value", "requirement", "matches"),
    [
        ("true", "true", True),
        ("True", "true", False),
        ("1", "1.0", False),
        (None, "true", False),
        ("4", "= 2", True),
        ("2", "= 2", True),
        ("1", "= 2", False),
        ("2", "== 2.0", True),
        ("3", "== 2", False),
        ("3", "!= 2", True),
        ("2", "!= 2", False),
        ("8", ">= 8", True),
        ("7", ">= 8", False),
        ("8", "<= 8", True),
        ("9", "<= 8", False),
        ("fast", ">= 8", False),
        ("ssd", "s== ssd", True),
        ("hdd", "s== ssd", False),
        ("hdd", "s!= ssd", True),
        ("abc", "s< abd", True),
        ("abc", "s<= abc", True),
        ("abd", "s> abc", True),
        ("abc", "s>= abd", False),
        ("nvme,ssd", "<in> ssd", True),
        ("hdd", "<in> ssd", False),
        ("avx avx2 sse4", "<all-in> avx2 sse4", True),
        ("avx sse4", "<all-in> avx2 sse4", False),
        ("gold", "<or> silver <or> gold", True),
        ("silver", "<or> silver <or> gold", True),
        ("bronze", "<or> silver <or> gold", False),
        ("<or>", "<or> silver <or> gold", False),
        (None, "s== ssd", False),
        ("ssd", "s==", False),
    ],
)
def test_aggregate_values_match_flavor_requirements_like_nova(
    value: str | None, requirement: str, matches: bool
) -> None:
    assert match(value, requirement) is matches
