"""Pure: a VirtualMachine's pinning to its Node (``nodeSelector kubernetes.io/hostname``), as
the builder sets it, and the merge patches that move or drop it (shelveOffload drops it, so the
halted VM belongs to no host; unshelve pins it to the host the scheduler chose)."""

from __future__ import annotations

from typing import Any

from kubenova.kubevirt import models
from kubenova.kubevirt.builder import HOSTNAME_LABEL


def pinned_host(vm: models.VirtualMachine) -> str | None:
    """The Node the VM's template is pinned to, if any."""
    return vm.spec.template.spec.node_selector.get(HOSTNAME_LABEL)


def pin_patch(host: str | None) -> dict[str, Any]:
    """The merge patch pinning the VM's template to ``host`` (``None``: removing the pinning)."""
    return {"spec": {"template": {"spec": {"nodeSelector": {HOSTNAME_LABEL: host}}}}}
