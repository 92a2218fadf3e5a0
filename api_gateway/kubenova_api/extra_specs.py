"""Flavor extra spec checks: key syntax always, values of well-known keys from 2.86.

Nova 2.86 validates every key in its registered namespaces against a large registry. kubenova
checks the values of the keys below, and refuses an unknown key of the ``hw:`` namespace (one not
in Nova's ``hw`` registry, ``HW_KEYS``) with Nova's message; keys of other namespaces are let
through, so some specs Nova would refuse at ≥2.86 are accepted here.
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


HW_KEYS = frozenset(
    {
        *(k for k in VALIDATORS if k.startswith("hw:")),
        # Nova's hw registry (nova/api/validation/extra_specs/hw.py), older and newer spellings
        "hw:cpu_realtime",
        "hw:cpu_realtime_mask",
        "hw:cpu_dedicated_mask",
        "hw:hide_hypervisor_id",
        "hw:pci_numa_affinity_policy",
        "hw:max_cpu_sockets",
        "hw:max_cpu_cores",
        "hw:max_cpu_threads",
        "hw:mem_encryption",
        "hw:mem_encryption_model",
        "hw:pmem",
        "hw:pmu",
        "hw:serial_port_count",
        "hw:tpm_model",
        "hw:tpm_version",
        "hw:tpm_secret_security",
        "hw:locked_memory",
        "hw:virtio_packed_ring",
        "hw:vif_multiqueue_enabled",
        "hw:viommu_model",
        "hw:ephemeral_encryption",
        "hw:ephemeral_encryption_format",
        "hw:maxphysaddr_mode",
        "hw:maxphysaddr_bits",
    }
)
_HW_NUMA_KEY = re.compile(r"^hw:numa_(cpus|mem)\.\d+$")


def _unknown_hw_key(key: str) -> bool:
    return key.startswith("hw:") and key not in HW_KEYS and not _HW_NUMA_KEY.match(key)


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
        if version >= "2.86" and _unknown_hw_key(key):
            raise errors.BadRequestError(
                f"Validation failed; extra spec '{key}' does not appear to be a valid extra spec."
            )
        check = VALIDATORS.get(key)
        if version >= "2.86" and check is not None and not check(value):
            raise errors.BadRequestError(
                f"Validation failed; The value '{value}' is not valid for extra spec '{key}'."
            )
        result[key] = value
    return result
