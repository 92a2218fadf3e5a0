"""How the operator's view keys and orders what it keeps: a Server's (or its VM's, VMI's, ...)
``ServerRef``, an object's uid, and its resourceVersion as a number, whatever form the index keeps
it in (a parsed model, a packed body, a Node's scheduling view)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import kopf

from kubenova.handlers.packed import Packed
from kubenova.kubevirt.client import ObservedVm
from kubenova.scheduler.host_state import NodeInfo


class ServerRef(NamedTuple):
    namespace: str
    name: str

    @classmethod
    def of(cls, body: kopf.Body) -> ServerRef:
        return cls(body.metadata.namespace or "", body.metadata.name or "")

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class IndexedNode:
    """A Node as the operator keeps it: the scheduler's view plus what labelling needs."""

    info: NodeInfo
    resource_version: str | None


def uid_of(obj: object) -> str | None:
    if isinstance(obj, ObservedVm):
        return obj.vm.metadata.uid
    if isinstance(obj, Packed):
        return obj.uid
    meta = getattr(obj, "metadata", None)
    uid = getattr(meta, "uid", None)
    return uid if isinstance(uid, str) else None


def resource_version(obj: object) -> int:
    """An object's resourceVersion as a number (-1 when it has none)."""
    if isinstance(obj, ObservedVm):
        raw = obj.vm.metadata.resource_version
    elif isinstance(obj, IndexedNode | Packed):
        raw = obj.resource_version
    else:
        raw = getattr(getattr(obj, "metadata", None), "resource_version", None)
    try:
        return int(raw) if raw is not None else -1
    except ValueError:
        return -1
