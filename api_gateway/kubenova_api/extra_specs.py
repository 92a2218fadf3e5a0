"""Flavor extra spec checks: key syntax always, values of well-known keys from 2.86.

Nova 2.86 validates every key in its registered namespaces against a large registry. kubenova
checks the namespaced keys it knows (below) and lets other keys through, so some specs Nova
would refuse at ≥2.86 are accepted here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kubenova_api import errors
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.flavors import EXTRA_SPEC_KEY_PATTERN

_PAGE_SIZE = re.compile(r"^(small|large|any|\d+(?:[kKmMgG]i?[bB]?)?)$")
_BOOL = {"true", "false", "yes", "no", "1", "0", "on", "off"}


def _one_of(*choices: str) -> Callable[[str], bool]:
    return lambda value: value in choices


def _int_at_least(low: int) -> Callable[[str], bool]:
    return lambda value: value.isdigit() and int(value) >= low


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "hw:cpu_policy": _one_of("shared", "dedicated", "mixed"),
    "hw:cpu_thread_policy": _one_of("prefer", "isolate", "require"),
    "hw:emulator_threads_policy": _one_of("share", "isolate"),
    "hw:mem_page_size": lambda v: bool(_PAGE_SIZE.match(v)),
    "hw:numa_nodes": _int_at_least(1),
    "hw:cpu_sockets": _int_at_least(1),
    "hw:cpu_cores": _int_at_least(1),
    "hw:cpu_threads": _int_at_least(1),
    "hw:cpu_max_sockets": _int_at_least(1),
    "hw:cpu_max_cores": _int_at_least(1),
    "hw:cpu_max_threads": _int_at_least(1),
    "hw:watchdog_action": _one_of("none", "pause", "poweroff", "reset", "disabled"),
    "hw:boot_menu": lambda v: v.lower() in _BOOL,
    "hw_rng:allowed": lambda v: v.lower() in _BOOL,
    "hw_rng:rate_bytes": _int_at_least(0),
    "hw_rng:rate_period": _int_at_least(0),
    "hw_video:ram_max_mb": _int_at_least(0),
    "quota:cpu_shares": _int_at_least(0),
    "quota:cpu_period": _int_at_least(0),
    "quota:cpu_quota": lambda v: v.lstrip("-").isdigit(),
}


def normalise(specs: dict[str, str | int | float | bool], version: APIVersion) -> dict[str, str]:
    """Stringify values and check keys (and, from 2.86, known values); 400 on the first problem."""
    result: dict[str, str] = {}
    for key, raw in specs.items():
        if not EXTRA_SPEC_KEY_PATTERN.match(key):
            raise errors.BadRequestError(
                f"Invalid input for field/attribute extra_specs. Value: {key}. "
                "Keys may contain only letters, digits, '-', '_', ':', '.' and spaces."
            )
        value = str(raw)  # Nova stores str(value): True becomes "True"
        if len(value) > 255:
            raise errors.BadRequestError(
                f"Invalid input for field/attribute {key}. Value: {value}. "
                "is too long (more than 255 characters)"
            )
        check = VALIDATORS.get(key)
        if version >= "2.86" and check is not None and not check(value):
            raise errors.BadRequestError(
                f"Validation failed; The value '{value}' is not valid for extra spec '{key}'."
            )
        result[key] = value
    return result
