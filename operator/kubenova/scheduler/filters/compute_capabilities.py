"""ComputeCapabilitiesFilter: flavor extra specs ``capabilities:<fact>`` against host facts.

``capabilities:hypervisor_type=QEMU`` or ``capabilities:cpu_info:arch=x86_64`` (nested keys walk
into dicts) are matched with ``extra_specs_ops`` against ``host_facts.capabilities``. A key
without a scope is matched only when it names such a fact (Nova's backward compatibility);
keys of other scopes are not this filter's business. A scoped fact the host does not have fails.
"""

from __future__ import annotations

from kubenova.scheduler import host_facts
from kubenova.scheduler.filters import extra_specs_ops
from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec

SCOPE = "capabilities"


class ComputeCapabilitiesFilter(HostFilter):
    """Pass hosts whose facts satisfy every ``capabilities:`` extra spec of the flavor."""

    def passes_all(self, spec: RequestSpec) -> bool:
        return not spec.flavor_extra_specs

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        if not spec.flavor_extra_specs:
            return None
        facts = host_facts.capabilities(host)
        for key, requirement in sorted(spec.flavor_extra_specs.items()):
            path = key.split(":")
            if len(path) == 1:
                if key not in facts:
                    continue
            elif path[0] != SCOPE:
                continue
            else:
                path = path[1:]
            value = _lookup(facts, path)
            if value is None:
                return f"the host has no capability {':'.join(path)!r} (flavor extra spec {key})"
            if not extra_specs_ops.match(_text(value), requirement):
                return f"capability {':'.join(path)}={_text(value)!r} does not match {requirement!r}"
        return None


def _lookup(facts: dict[str, object], path: list[str]) -> object | None:
    current: object = facts
    for part in path:
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    return current


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
