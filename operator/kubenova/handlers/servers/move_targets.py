"""Which hosts a move may go to, from the view (the scheduler then chooses among them).

- a resize: any host but, unless ``KUBENOVA_ALLOW_RESIZE_TO_SAME_HOST``, the current one;
- a cold migration: never the current host (libvirt's ``UnableToMigrateToSelf``), and with a
  2.56 ``host`` only that one (the filters still run, as for Nova's requested destination);
- a live migration: never the current host, and with a ``host`` only that one.
"""

from __future__ import annotations

from kubenova.handlers.runtime import Runtime
from kubenova.resources.server import Server


def compute_hosts(rt: Runtime) -> list[str]:
    return [node.name for node in rt.view.compute_nodes()]


def _only(rt: Runtime, source: frozenset[str], host: str | None) -> frozenset[str]:
    if host is None:
        return source
    return frozenset(compute_hosts(rt)) - {host} | source


def cold_ignored(rt: Runtime, server: Server, move: tuple[str, str] | None) -> frozenset[str]:
    """The hosts a resize or cold migration (``move``: its type and request id) may not go to."""
    source = frozenset({server.status.host or ""})
    if move is None or move[0] != "migration":
        return frozenset() if rt.settings.allow_resize_to_same_host else source
    request = server.spec.migrate
    return _only(rt, source, request.host if request is not None else None)


def live_ignored(rt: Runtime, server: Server, host: str | None) -> frozenset[str]:
    """The hosts a live migration (to ``host``, if asked) may not go to."""
    return _only(rt, frozenset({server.status.host or ""}), host)
