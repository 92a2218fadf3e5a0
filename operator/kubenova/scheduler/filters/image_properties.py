"""ImagePropertiesFilter: hosts that can run the image's architecture, hypervisor and VM mode.

Image properties read (Nova's names, then the legacy ones Nova still maps): ``hw_architecture``
(``architecture``), ``img_hv_type`` (``hypervisor_type``), ``hw_vm_mode`` (``vm_mode``). A host
advertises what ``host_facts.supported_instances`` says; one entry must match every property the
image sets. ``img_hv_requested_version`` is compared only when the host reports a hypervisor
version (Nova's rule); kubenova's hosts report none to the scheduler, so it is not checked.
"""

from __future__ import annotations

from kubenova.scheduler import host_facts
from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec

_PROPERTIES = (
    ("hw_architecture", "architecture", host_facts.canonical_arch),
    ("img_hv_type", "hypervisor_type", host_facts.canonical_hv_type),
    ("hw_vm_mode", "vm_mode", host_facts.canonical_vm_mode),
)


def wanted(image_properties: dict[str, str]) -> tuple[str | None, ...]:
    """(arch, hypervisor type, vm mode) the image asks for, canonical; None where it asks nothing."""
    result: list[str | None] = []
    for name, legacy, canonical in _PROPERTIES:
        raw = image_properties.get(name) or image_properties.get(legacy)
        result.append(canonical(raw) if raw else None)
    return tuple(result)


class ImagePropertiesFilter(HostFilter):
    """Pass hosts one of whose supported instance types has every property the image sets."""

    runs_on_rebuild = True

    def passes_all(self, spec: RequestSpec) -> bool:
        return not any(wanted(spec.image_properties))

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        asked = wanted(spec.image_properties)
        if not any(asked):
            return None
        supported = host_facts.supported_instances(host)
        shown = {n: v for (n, _, _), v in zip(_PROPERTIES, asked, strict=True) if v}
        if not supported:
            return f"image asks for {shown} but the Node has no {host_facts.ARCH_LABEL} label"
        for offered in supported:
            if all(a is None or a == o for a, o in zip(asked, offered, strict=True)):
                return None
        return f"image asks for {shown}; the host runs {sorted(set(supported))}"
