"""kopf indexes: every object a handler needs, parsed once per watch event and kept in memory.

Handlers read them through ``ClusterView`` (``handlers.cluster_view``) and never GET what a watch
already shows. kopf fills each index from a full listing before any handler runs. An index
function names the index (kopf passes it by that name); the names are in ``cluster_view``.

VMs, VMIs and DataVolumes are kept as compact JSON, parsed when read (``handlers.packed``); no
index keeps ``metadata.managedFields``, which no handler reads. Servers are kept parsed (placement,
quota and group decisions read many at once), their models sharing their sets of field names
(``resources.fields_sets``).

Keys: Servers, VMs, VMIs and DataVolumes by ``ServerRef`` (VMs/VMIs/DataVolumes by their
``compute.kubenova.io/server`` label; a Server has several DataVolumes), Nodes, Aggregates,
Flavors and Images by object name, Keypairs by Nova name, ServerGroups by uid (the Nova id).
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

import kopf
import pydantic

from kubenova.domain import hosts
from kubenova.domain.names import SERVER_LABEL, SERVER_NAMESPACE_LABEL
from kubenova.handlers import runtime
from kubenova.handlers.packed import Packed, without_managed_fields
from kubenova.handlers.view_keys import IndexedNode, ServerRef
from kubenova.kubevirt import cdi_models, models
from kubenova.kubevirt.client import ObservedVm, parse_vm, parse_vmi
from kubenova.resources import fields_sets
from kubenova.resources.aggregate import Aggregate
from kubenova.resources.base import GROUP, VERSION
from kubenova.resources.flavor import Flavor
from kubenova.resources.image import Image
from kubenova.resources.keypair import Keypair
from kubenova.resources.migration import Migration
from kubenova.resources.server import Server
from kubenova.resources.server_group import ServerGroup
from kubenova.scheduler.host_state import NodeInfo

LOG = logging.getLogger(__name__)
OURS = {SERVER_LABEL: kopf.PRESENT}
_M = TypeVar("_M", bound=pydantic.BaseModel)
_T = TypeVar("_T")


def _parsed(model: type[_M], body: kopf.Body) -> _M | None:
    return _parsed_kept(model, without_managed_fields(dict(body)))


def _parsed_kept(model: type[_M], kept: dict[str, Any]) -> _M | None:
    """``kept`` (a body already without managedFields) as ``model``; None, logged, if it does not parse."""
    try:
        return model.model_validate(kept)
    except pydantic.ValidationError as error:
        name = (kept.get("metadata") or {}).get("name")
        LOG.warning("Ignoring %s %s that does not parse: %s", model.__name__, name, error)
        return None


@kopf.index(GROUP, VERSION, "servers")
async def server_index(body: kopf.Body, memo: kopf.Memo, **_: Any) -> dict[ServerRef, Server]:
    server = _parsed(Server, body)
    if server is not None:
        fields_sets.share(server)  # half of a parsed Server's memory otherwise (a set per model)
        runtime.of(memo).view.feed.seen(server)  # the placement ledger's usage follows it
    return {ServerRef.of(body): server} if server is not None else {}


@kopf.index(models.GROUP, models.VERSION, models.VIRTUAL_MACHINE.plural, labels=OURS)
async def vm_index(body: kopf.Body, **_: Any) -> dict[ServerRef, Packed[ObservedVm]]:
    ref = ServerRef(body.metadata.namespace or "", body.metadata.labels.get(SERVER_LABEL, ""))
    kept = without_managed_fields(dict(body))
    return {ref: Packed(kept, parse_vm, parse_vm(kept))}


@kopf.index(models.GROUP, models.VERSION, models.VIRTUAL_MACHINE_INSTANCE.plural, labels=OURS)
async def vmi_index(body: kopf.Body, **_: Any) -> dict[ServerRef, Packed[models.VirtualMachineInstance]]:
    ref = ServerRef(body.metadata.namespace or "", body.metadata.labels.get(SERVER_LABEL, ""))
    kept = without_managed_fields(dict(body))
    return {ref: Packed(kept, parse_vmi, parse_vmi(kept))}


def volume_ref(namespace: str, labels: dict[str, str]) -> ServerRef:
    """The Server a DataVolume belongs to: by its labels (a snapshot's clone lives in the image
    namespace and names its Server's namespace in a label)."""
    return ServerRef(labels.get(SERVER_NAMESPACE_LABEL) or namespace, labels.get(SERVER_LABEL, ""))


@kopf.index(cdi_models.CDI_GROUP, cdi_models.CDI_VERSION, cdi_models.DATA_VOLUME_PLURAL, labels=OURS)
async def dv_index(body: kopf.Body, **_: Any) -> dict[ServerRef, Packed[cdi_models.DataVolume]]:
    ref = volume_ref(body.metadata.namespace or "", dict(body.metadata.labels))
    kept = without_managed_fields(dict(body))
    volume = _parsed_kept(cdi_models.DataVolume, kept)
    if volume is None:
        return {}
    return {ref: Packed(kept, cdi_models.DataVolume.model_validate, volume)}


@kopf.index("", "v1", "nodes")
async def node_index(body: kopf.Body, memo: kopf.Memo, **_: Any) -> dict[str, IndexedNode]:
    node = IndexedNode(node_info(dict(body)), body.metadata.get("resourceVersion"))
    runtime.of(memo).view.node_seen(node.info)
    return {node.info.name: node}


@kopf.index(GROUP, VERSION, "aggregates")
async def aggregate_index(body: kopf.Body, memo: kopf.Memo, **_: Any) -> dict[str, Aggregate]:
    return _touching(memo, body.metadata.name or "", _parsed(Aggregate, body))


@kopf.index(GROUP, VERSION, "flavors")
async def flavor_index(body: kopf.Body, memo: kopf.Memo, **_: Any) -> dict[str, Flavor]:
    return _touching(memo, body.metadata.name or "", _parsed(Flavor, body))


@kopf.index(GROUP, VERSION, "images")
async def image_index(body: kopf.Body, memo: kopf.Memo, **_: Any) -> dict[str, Image]:
    return _touching(memo, body.metadata.name or "", _parsed(Image, body))


@kopf.index(GROUP, VERSION, "keypairs")
async def keypair_index(body: kopf.Body, memo: kopf.Memo, **_: Any) -> dict[str, Keypair]:
    keypair = _parsed(Keypair, body)
    return _touching(memo, keypair.key_name if keypair is not None else "", keypair)


@kopf.index(models.GROUP, models.VERSION, models.VIRTUAL_MACHINE_INSTANCE_MIGRATION.plural, labels=OURS)
async def vmim_index(body: kopf.Body, **_: Any) -> dict[ServerRef, models.VirtualMachineInstanceMigration]:
    """VMIMs of kubenova's live migrations, by (namespace, VMIM name)."""
    found = _parsed(models.VirtualMachineInstanceMigration, body)
    return {ServerRef.of(body): found} if found is not None else {}


@kopf.index(GROUP, VERSION, "migrations")
async def migration_index(body: kopf.Body, **_: Any) -> dict[ServerRef, Migration]:
    migration = _parsed(Migration, body)
    return {ServerRef.of(body): migration} if migration is not None else {}


@kopf.index(GROUP, VERSION, "servergroups")
async def server_group_index(body: kopf.Body, memo: kopf.Memo, **_: Any) -> dict[str, ServerGroup]:
    return _touching(memo, body.metadata.uid or "", _parsed(ServerGroup, body))


def _touching(memo: kopf.Memo, key: str, value: _T | None) -> dict[str, _T]:
    runtime.of(memo).view.touch()  # a build waiting for this object may go on
    return {key: value} if value is not None else {}


def node_info(node: dict[str, Any]) -> NodeInfo:
    """The scheduler's view of a Node (``kubenova.domain.hosts``' reading of it)."""
    host = hosts.parse(node)
    return NodeInfo(
        name=host.name,
        cpu=host.cpu,
        memory_mb=host.memory_mb,
        disk_gb=host.local_gb,
        schedulable=host.takes_servers,
        ready=host.is_up,  # Nova's service_is_up: Ready and not forced down
        labels=dict(host.labels),
    )
