"""What the operator knows of the cluster, without asking the API server: kopf's watch-fed indexes
(``handlers.indexes``) overlaid with the objects as this process last wrote them.

The overlay closes the gap between a write and its watch event: after a status patch or a VM
create, the next event handled (often the one our own write caused, or a VM event) must see the
write, or it would decide again on the old state (a second VM create, a stale conditional patch).
Of an object's copies (the index, our last write, an event's body) the one with the highest
``resourceVersion`` wins; the API server's resourceVersions are etcd revisions, which only grow.
An overlay entry goes once the index holds that version or a newer one.

kopf fills every index from a full listing before it runs any handler (``ready`` is set by the
first one), so after a restart the view starts complete. ``changed`` wakes whoever waits for an
object to appear (a Flavor or Node created a moment before the Server that names it).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Collection, Iterator, Mapping
from typing import Any, TypeVar

from kubenova.domain.zones import AggregateInfo
from kubenova.handlers import label_selector
from kubenova.handlers.packed import unpacked
from kubenova.handlers.server_feed import ServerFeed
from kubenova.handlers.view_keys import IndexedNode, ServerRef, resource_version, uid_of
from kubenova.kubevirt import cdi_models, models
from kubenova.kubevirt.client import ObservedVm
from kubenova.resources.aggregate import Aggregate
from kubenova.resources.flavor import Flavor
from kubenova.resources.image import Image
from kubenova.resources.keypair import Keypair
from kubenova.resources.migration import Migration
from kubenova.resources.server import Server
from kubenova.resources.server_group import ServerGroup
from kubenova.scheduler import resize_holds
from kubenova.scheduler.host_state import NodeInfo, PlacedServer

# Index names: the names of the index functions in ``handlers.indexes`` (kopf passes them so).
SERVERS, VMS, VMIS, DVS = "server_index", "vm_index", "vmi_index", "dv_index"
NODES, AGGREGATES = "node_index", "aggregate_index"
FLAVORS, IMAGES, KEYPAIRS = "flavor_index", "image_index", "keypair_index"
MIGRATIONS, VMIMS = "migration_index", "vmim_index"
SERVER_GROUPS = "server_group_index"
INDEXES = (
    SERVERS,
    VMS,
    VMIS,
    DVS,
    NODES,
    AGGREGATES,
    FLAVORS,
    IMAGES,
    KEYPAIRS,
    SERVER_GROUPS,
    MIGRATIONS,
    VMIMS,
)

_T = TypeVar("_T")
Indexed = Mapping[Any, Collection[Any]]
"""A kopf index as read: key → the values the objects indexed under it."""


class ClusterView:
    """Typed, freshest-copy lookups over the operator's indexes."""

    def __init__(self, compute_node_selector: str = "") -> None:
        self._indexes: dict[str, Indexed] = {name: {} for name in INDEXES}
        self._written: dict[tuple[str, Any], Any] = {}
        self._selector = compute_node_selector
        self._nodes_seen: dict[str, NodeInfo] = {}
        self._changed = asyncio.Event()
        self._deleting: set[str] = set()
        self.feed = ServerFeed(present=lambda ref: self.server(ref) is not None)
        self.ready = asyncio.Event()

    def bind(self, indexes: Mapping[str, Indexed]) -> None:
        """Use kopf's live indexes (handed to the startup handler by name)."""
        self._indexes.update({name: indexes[name] for name in INDEXES if name in indexes})
        self.feed.known(self._indexes[SERVERS])

    # ----- own writes ---------------------------------------------------------------------------

    def remember(self, index: str, key: Any, obj: object) -> None:
        """``obj`` is how the API server answered our write of it."""
        self._written[(index, key)] = obj
        if index == SERVERS and isinstance(obj, Server):
            self.feed.seen(obj)

    def forget(self, index: str, key: Any, uid: str | None = None) -> None:
        """Drop our last write of ``key`` (only if it is of the object ``uid``, when given: the
        name may already hold a newer object)."""
        written = self._written.get((index, key))
        if written is not None and (uid is None or uid_of(written) in (uid, None)):
            del self._written[(index, key)]

    def begin_delete(self, uid: str) -> bool:
        """Note a delete of the object ``uid`` as sent; ``False`` if it was sent before."""
        if uid in self._deleting:
            return False
        self._deleting.add(uid)
        return True

    async def delete_once(self, uid: str, send: Callable[[], Awaitable[object]]) -> None:
        """Send the delete of ``uid`` unless it was sent before (a failed one may be sent again)."""
        if not self.begin_delete(uid):
            return
        try:
            await send()
        except BaseException:
            self.deleted(uid)
            raise

    def deleted(self, uid: str) -> None:
        self._deleting.discard(uid)

    # ----- change notification ------------------------------------------------------------------

    def touch(self) -> None:
        """Something a waiting build may need appeared or changed."""
        self._changed.set()
        self._changed = asyncio.Event()

    def node_seen(self, info: NodeInfo) -> None:
        """Touch only when what scheduling reads of a Node changed (not on every heartbeat)."""
        if self._nodes_seen.get(info.name) != info:
            self._nodes_seen[info.name] = info
            self.touch()

    async def changed(self, timeout: float) -> None:
        """Return at the next change, or after ``timeout`` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), max(timeout, 0.0))

    async def wait_for(self, lookup: Callable[[], _T | None], seconds: float) -> _T | None:
        """``lookup()``'s answer, asked again at each change of the view for up to ``seconds`` while
        it is None (an object applied a moment before the request naming it, a watch a step behind)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while (found := lookup()) is None:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return None
            await self.changed(remaining)
        return found

    # ----- lookups ------------------------------------------------------------------------------

    def fresh(self, index: str, key: Any, *seen: _T | None) -> _T | None:
        """The freshest copy of ``key`` among the index, our last write of it and ``seen``."""
        store = self._indexes.get(index, {}).get(key)
        indexed = next(iter(store), None) if store else None
        written = self._written.get((index, key))
        if written is None and not seen:
            return indexed  # the common case, kept cheap: every Node at every decision
        if (
            written is not None
            and indexed is not None
            and resource_version(indexed) >= resource_version(written)
        ):
            self.forget(index, key)
            written = None
        copies = [c for c in (indexed, written, *seen) if c is not None]
        return max(copies, key=resource_version) if copies else None

    def _every(self, index: str) -> Iterator[Any]:
        keys = set(self._indexes[index]) | {key for name, key in self._written if name == index}
        for key in keys:
            found = self.fresh(index, key)
            if found is not None:
                yield found

    def server(self, ref: ServerRef, seen: Server | None = None) -> Server | None:
        found: Server | None = self.fresh(SERVERS, ref, seen)
        return found

    def servers(self) -> list[Server]:
        return list(self._every(SERVERS))

    def servers_in(self, namespace: str) -> list[Server]:
        """The Servers of one namespace (a project): O(its servers), not O(all servers)."""
        found = [self.server(ref) for ref in self.feed.refs_in(namespace)]
        return [server for server in found if server is not None]

    def placements(self) -> list[PlacedServer]:
        """What every placed Server holds on its host (its embedded flavor); O(servers): the
        placement ledger follows the feed's ``follow_placements`` instead."""
        return [placed for server in self.servers() for placed in resize_holds.held_by(server)]

    def has_vm(self, ref: ServerRef) -> bool:
        """Whether a VM of ``ref`` is in view (without parsing it)."""
        return self.fresh(VMS, ref) is not None

    def kubevirt_versions(self, ref: ServerRef) -> tuple[int | None, ...]:
        """The resourceVersions of ``ref``'s VM and VMI (None: not in view) and DataVolumes as in
        view, nothing parsed: what an observation of them reads changes only with one of these."""
        volumes = self._indexes[DVS].get(ref) or ()
        vm, vmi = self.fresh(VMS, ref), self.fresh(VMIS, ref)
        kept = [None if found is None else resource_version(found) for found in (vm, vmi)]
        return *kept, *sorted(map(resource_version, volumes))

    def vm(self, ref: ServerRef) -> ObservedVm | None:
        found: ObservedVm | None = unpacked(self.fresh(VMS, ref))
        return found

    def vmi(self, ref: ServerRef) -> models.VirtualMachineInstance | None:
        found: models.VirtualMachineInstance | None = unpacked(self.fresh(VMIS, ref))
        return found

    def data_volumes(self, ref: ServerRef) -> list[cdi_models.DataVolume]:
        """The Server's DataVolumes (root, ephemeral, swap) as the index has them (never written
        by the operator: virt-controller creates them from the VM's templates)."""
        store = self._indexes[DVS].get(ref)
        return [unpacked(volume) for volume in store] if store else []

    def nodes(self) -> list[IndexedNode]:
        return list(self._every(NODES))

    def compute_nodes(self) -> list[NodeInfo]:
        """The Nodes that are compute hosts (``KUBENOVA_COMPUTE_NODE_SELECTOR``)."""
        if not self._selector:
            return [n.info for n in self.nodes()]
        return [n.info for n in self.nodes() if label_selector.matches(self._selector, n.info.labels)]

    def aggregates(self) -> list[Aggregate]:
        return list(self._every(AGGREGATES))

    def aggregate_infos(self) -> list[AggregateInfo]:
        return [AggregateInfo.from_resource(a) for a in self.aggregates()]

    def migration(self, ref: ServerRef) -> Migration | None:
        """The Migration object ``ref`` (namespace, migration uuid)."""
        found: Migration | None = self.fresh(MIGRATIONS, ref)
        return found

    def migrations(self) -> list[Migration]:
        return list(self._every(MIGRATIONS))

    def vmim(self, ref: ServerRef) -> models.VirtualMachineInstanceMigration | None:
        """The VirtualMachineInstanceMigration ``ref`` (namespace, VMIM name)."""
        found: models.VirtualMachineInstanceMigration | None = self.fresh(VMIMS, ref)
        return found

    def flavor(self, name: str) -> Flavor | None:
        found: Flavor | None = self.fresh(FLAVORS, name)
        return found

    def image(self, name: str) -> Image | None:
        found: Image | None = self.fresh(IMAGES, name)
        return found

    def images(self) -> list[Image]:
        return list(self._every(IMAGES))

    def keypairs(self, key_name: str) -> list[Keypair]:
        store = self._indexes[KEYPAIRS].get(key_name)
        return list(store) if store else []

    def server_group(self, group_id: str) -> ServerGroup | None:
        """The ServerGroup whose uid (Nova id) is ``group_id``."""
        store = self._indexes[SERVER_GROUPS].get(group_id)
        return next(iter(store), None) if store else None
