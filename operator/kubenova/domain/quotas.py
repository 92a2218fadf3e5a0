"""Nova's per-project quotas of servers: where the limits are written, which limits a project has,
and whether a request fits. Pure: the gateway (its 403 pre-check and the quota APIs) and the
operator (the enforcing recheck before a server is placed) both decide with these functions.

Limits are stored in one ConfigMap, ``kubenova-quotas`` in the identity namespace (the gateway
writes it, ``kubenova_api.store.quotas``), one data key per limit an admin set::

    <project id>.<resource>: "<limit>"                 # -1 = unlimited
    quota-class.<class>.<resource>: "<limit>"          # os-quota-class-sets; "default" applies

A project's limit of a resource is its own value, else the ``default`` quota class's, else the
configured default (Nova's ``[quota]`` options, ``NOVA_DEFAULTS`` unless configured).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

CONFIGMAP = "kubenova-quotas"
CLASS_PREFIX = "quota-class."
DEFAULT_CLASS = "default"
_PLAIN_CLASS = re.compile(r"^[-_a-zA-Z0-9]+$")

SERVER_RESOURCES: tuple[str, ...] = ("instances", "cores", "ram")
"""The quota resources a server consumes (what the recheck enforces)."""

NOVA_DEFAULTS: dict[str, int] = {"instances": 10, "cores": 20, "ram": 51200}
"""Nova's ``[quota] instances/cores/ram`` defaults."""


@dataclass(frozen=True)
class StoredLimits:
    """The ConfigMap's data parsed: ``{project_id: {resource: limit}}`` and the same per class."""

    overrides: dict[str, dict[str, int]] = field(default_factory=dict)
    classes: dict[str, dict[str, int]] = field(default_factory=dict)
    resource_version: str = ""

    def class_limits(self, quota_class: str, defaults: Mapping[str, int]) -> dict[str, int]:
        """A quota class's limits: its own, else the ``default`` class's, else ``defaults``."""
        return {**defaults, **self.classes.get(DEFAULT_CLASS, {}), **self.classes.get(quota_class, {})}

    def project_limits(self, project_id: str, defaults: Mapping[str, int]) -> dict[str, int]:
        """Every resource's effective limit for the project."""
        return {**self.class_limits(DEFAULT_CLASS, defaults), **self.overrides.get(project_id, {})}


def class_segment(name: str) -> str:
    """How a quota class name appears in a key (hex after an ``x`` unless plain)."""
    return name if _PLAIN_CLASS.match(name) and not name.startswith("x") else "x" + name.encode().hex()


def _class_name(segment: str) -> str | None:
    if not segment.startswith("x"):
        return segment
    try:
        return bytes.fromhex(segment[1:]).decode()
    except (ValueError, UnicodeDecodeError):
        return None


def parse(data: Mapping[str, object] | None, resources: Collection[str]) -> StoredLimits:
    """The limits in the ConfigMap's ``data`` (keys of other resources and non-numbers ignored)."""
    overrides: dict[str, dict[str, int]] = {}
    classes: dict[str, dict[str, int]] = {}
    for key, value in (data or {}).items():
        owner, _, resource = str(key).rpartition(".")
        target = overrides
        if owner.startswith(CLASS_PREFIX):
            owner = _class_name(owner[len(CLASS_PREFIX) :]) or ""
            target = classes
        if not owner or resource not in resources:
            continue
        try:
            target.setdefault(owner, {})[resource] = int(str(value))
        except (TypeError, ValueError):
            continue  # a hand-edited value that is not a number: the default applies
    return StoredLimits(overrides, classes)


@dataclass(frozen=True)
class Usage:
    """Nova's ``instances``, ``cores`` and ``ram`` (MiB) of a project, or of a request."""

    instances: int = 0
    cores: int = 0
    ram: int = 0

    def get(self, resource: str) -> int:
        value: int = getattr(self, resource)
        return value


def total(sizes: Iterable[tuple[int, int]]) -> Usage:
    """The usage of servers given as ``(vcpus, ram)`` each."""
    instances = cores = ram = 0
    for vcpus, memory in sizes:
        instances, cores, ram = instances + 1, cores + vcpus, ram + memory
    return Usage(instances, cores, ram)


def unlimited(limits: Mapping[str, int]) -> bool:
    """Whether no server resource is limited (each -1): a check has nothing to count."""
    return all(limits.get(resource, -1) < 0 for resource in SERVER_RESOURCES)


def exceeded(limits: Mapping[str, int], used: Usage, requested: Usage) -> str | None:
    """Nova's ``TooManyInstances`` message if ``requested`` on top of ``used`` passes a limit
    (checked in Nova's order: instances, cores, ram); ``None`` when it fits. -1 is unlimited."""
    for resource in SERVER_RESOURCES:
        limit = limits.get(resource, -1)
        if limit < 0:
            continue
        if used.get(resource) + requested.get(resource) > limit:
            return (
                f"Quota exceeded for {resource}: Requested {requested.get(resource)}, "
                f"but already used {used.get(resource)} of {limit} {resource}"
            )
    return None


class QuotaExceeded(Exception):  # noqa: N818 - Nova's condition (TooManyInstances)
    """A server does not fit its project's quota; ``str()`` is Nova's message."""
