"""Flavor extra spec validation from 2.86: known values, and unknown ``hw:`` keys refused as Nova."""

from __future__ import annotations

import pytest

from kubenova_api import errors, extra_specs
from kubenova_api.microversions import APIVersion

V285, V286 = APIVersion.parse("2.85"), APIVersion.parse("2.86")


def message(specs: dict[str, str | int | float | bool]) -> str:
    with pytest.raises(errors.BadRequestError) as caught:
        extra_specs.normalise(specs, V286)
    return str(caught.value)


def test_unknown_hw_key_is_refused_from_2_86_with_novas_message() -> None:
    assert "does not appear to be a valid extra spec" in message({"hw:cpu_sokets": "2"})
    assert "hw:cpu_sokets" in message({"hw:cpu_sokets": "2"})
    assert extra_specs.normalise({"hw:cpu_sokets": "2"}, V285) == {"hw:cpu_sokets": "2"}


@pytest.mark.parametrize(
    "key",
    ["hw:cpu_sockets", "hw:cpu_max_cores", "hw:max_cpu_cores", "hw:numa_cpus.0", "hw:numa_mem.1", "hw:pmu"],
)
def test_known_hw_keys_pass(key: str) -> None:
    value = "0" if key.startswith("hw:numa_cpus") else "1"
    assert extra_specs.normalise({key: value if key != "hw:pmu" else "true"}, V286) == {
        key: value if key != "hw:pmu" else "true"
    }


def test_other_namespaces_and_plain_keys_pass() -> None:
    specs = {"quota:disk_read_bytes_sec": "1000", "trait:CUSTOM_X": "required", "color": "blue"}
    assert extra_specs.normalise(dict(specs), V286) == specs


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("hw:cpu_policy", "fastest"),
        ("hw:cpu_sockets", "0"),
        ("hw:mem_page_size", "huge"),
        ("hw:watchdog_action", "explode"),
    ],
)
def test_bad_values_of_supported_keys(key: str, value: str) -> None:
    assert (
        message({key: value})
        == f"Validation failed; The value '{value}' is not valid for extra spec '{key}'."
    )
