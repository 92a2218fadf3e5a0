"""The operator's feed of Servers: each copy of a Server that reaches the view (a watch event, via
the Server index function, or the API server's answer to our own write) is told, oldest never
after newest, to whoever follows it: the placement ledger (what each Server holds on its host) and
the build slots (which servers build where). It also keeps the Servers of each project, so a
project's Servers are read in O(its servers).

Everything here is rebuilt from kopf's first listing after a restart: the feed keeps no state of
its own that the watch does not bring again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kubenova.handlers.view_keys import ServerRef, resource_version
from kubenova.resources.server import Server
from kubenova.scheduler import resize_holds
from kubenova.scheduler.host_state import PlacedServer

Follower = Callable[[str, Server | None], None]
"""Told ``(server uid, its freshest copy)``, and ``(uid, None)`` once it is gone."""


class ServerFeed:
    def __init__(self, present: Callable[[ServerRef], bool]) -> None:
        self._present = present  # whether the view still holds a Server of that name
        self._followers: list[Follower] = []
        self._told: dict[str, int] = {}  # server uid -> the resourceVersion told last
        self._projects: dict[str, set[ServerRef]] = {}  # namespace -> its Servers' refs

    def follow(self, follower: Follower) -> None:
        self._followers.append(follower)

    def follow_placements(self, listener: Callable[[str, list[PlacedServer]], None]) -> None:
        """Tell ``listener(server uid, placements)`` what each Server holds on hosts (none once it
        is gone)."""
        self.follow(lambda uid, server: listener(uid, resize_holds.held_by(server) if server else []))

    def known(self, refs: Iterable[ServerRef]) -> None:
        """These Servers are in the view (its first listing)."""
        for ref in refs:
            self._projects.setdefault(ref.namespace, set()).add(ref)

    def refs_in(self, namespace: str) -> list[ServerRef]:
        return list(self._projects.get(namespace, ()))

    def seen(self, server: Server) -> None:
        """A copy of a Server arrived: tell the followers, unless a newer copy was told already."""
        uid = server.metadata.uid
        self.known([ServerRef(server.metadata.namespace or "", server.metadata.name)])
        version = resource_version(server)
        if not uid or version < self._told.get(uid, -1):
            return
        self._told[uid] = version
        for follower in self._followers:
            follower(uid, server)

    def gone(self, uid: str, ref: ServerRef | None = None) -> None:
        """The Server ``uid`` (``ref``) was deleted: it holds nothing any more."""
        self._told.pop(uid, None)
        if ref is not None and not self._present(ref):
            self._projects.get(ref.namespace, set()).discard(ref)
        for follower in self._followers:
            follower(uid, None)
