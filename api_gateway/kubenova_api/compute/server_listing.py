"""``GET /servers`` and ``/servers/detail``: which servers a list request returns, in what order,
one page of them (over the cached Servers).

Filters come parsed from ``schemas.servers_query``; attributes that live on other objects (project
id, image id, flavor id) come from ``compute.refs``, resolved once per server and request; those of
the Server alone (and its sort keys) once per cached Server object (``server_memo``). The
vm_state and task_state filtered on are those the API shows (``domain.pending`` overlaid).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.datastructures import QueryParams

from kubenova.domain import names
from kubenova.resources import Server
from kubenova.resources.states import VmState
from kubenova_api import errors, pagination, params, policy, server_memo
from kubenova_api.compute.refs import refs as resolve_refs
from kubenova_api.context import RequestContext
from kubenova_api.identity.service import IdentityService
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas import servers_query
from kubenova_api.schemas.servers_query import ListQuery, parse_time
from kubenova_api.store import Store
from kubenova_api.urls import PublicUrls
from kubenova_api.views import server_fields as fields
from kubenova_api.views import server_state
from kubenova_api.views import servers as views

Refs = Callable[[Server], views.ServerRefs]


def _updated(server: Server) -> datetime | None:
    stamp = server.status.updated_at or server.metadata.creation_timestamp
    return parse_time("updated_at", stamp) if stamp else None


def _ips(server: Server, version: int) -> list[str]:
    found = []
    for entries in server.status.addresses.values():
        for entry in entries:
            try:
                if ipaddress.ip_address(entry.addr).version == version:
                    found.append(entry.addr)
            except ValueError:
                continue
    return found


Getter = Callable[[Server, Refs], Any]
Computed = Callable[[Server], tuple[bool, Any]]

# Built once: a list request reads one of these per server and sort key or filter. Those of the
# Server alone are computed once per cached Server object (``server_memo``); the three of other
# objects (``refs``) every request.
_SERVER_GETTERS: dict[str, Callable[[Server], Any]] = {
    "access_ip_v4": lambda s: fields.annotation(s, names.ACCESS_IPV4_ANNOTATION),
    "access_ip_v6": lambda s: fields.annotation(s, names.ACCESS_IPV6_ANNOTATION),
    "auto_disk_config": lambda s: fields.annotation(s, names.DISK_CONFIG_ANNOTATION) == "AUTO",
    "availability_zone": fields.availability_zone,
    "config_drive": lambda s: s.spec.config_drive,
    "created_at": fields.created_at,
    "display_description": lambda s: s.spec.description,
    "display_name": lambda s: s.display_name,
    "host": lambda s: s.status.host,
    "node": lambda s: s.status.hypervisor_hostname,
    "hostname": fields.hostname,
    "kernel_id": lambda s: "",
    "ramdisk_id": lambda s: "",
    "root_device_name": lambda s: fields.ROOT_DEVICE_NAME if s.status.host else None,
    "key_name": lambda s: s.spec.key_name,
    "launch_index": fields.launch_index,
    "launched_at": lambda s: s.status.launched_at,
    "terminated_at": fields.terminated_at,
    "locked_by": lambda s: s.spec.locked_by if s.spec.locked else None,
    "locked": lambda s: s.spec.locked,
    "power_state": server_state.power_state,
    "progress": lambda s: s.status.progress or 0,
    "task_state": server_state.task_state,
    "vm_state": server_state.vm_state,
    "updated_at": lambda s: s.status.updated_at or s.metadata.creation_timestamp,
    "user_id": lambda s: s.spec.user_id,
    "uuid": lambda s: s.server_id,
    # Nova's integer primary key orders by creation; the uid is the stable stand-in.
    "id": lambda s: s.server_id,
    "reservation_id": lambda s: fields.annotation(s, names.RESERVATION_ID_ANNOTATION),
}
_REFS_GETTERS: dict[str, Getter] = {
    "image_ref": lambda s, r: r(s).image_id,
    "instance_type_id": lambda s, r: r(s).flavor_id,
    "project_id": lambda s, r: r(s).project_id,
}


def _attribute(server: Server, key: str, refs: Refs) -> Any:
    """A server attribute by Nova's filter/sort name."""
    by_refs = _REFS_GETTERS.get(key)
    if by_refs is not None:
        return by_refs(server, refs)
    return server_memo.value(server, key, _SERVER_GETTERS[key])


def _equal(server: Server, key: str, wanted: set[str], refs: Refs) -> bool:
    value = _attribute(server, key, refs)
    if key == "config_drive":
        return any(params.parse_bool(w, name=key) == value for w in wanted)
    return str(value) in wanted if value is not None else "None" in wanted


def matches(server: Server, query: ListQuery, refs: Refs) -> bool:
    """Whether ``server`` passes every filter of ``query``."""
    if query.name is not None and not query.name.search(server.display_name):
        return False
    if query.states is not None:
        vm, task = _attribute(server, "vm_state", refs), _attribute(server, "task_state", refs)
        if not any(vm == state and task in tasks for state, tasks in query.states):
            return False
    if query.image is not None and refs(server).image_id != query.image.rsplit("/", 1)[-1]:
        return False
    if query.flavor is not None and refs(server).flavor_id != query.flavor.rsplit("/", 1)[-1]:
        return False
    if query.ip is not None and not any(query.ip.search(ip) for ip in _ips(server, 4)):
        return False
    if query.ip6 is not None and not any(query.ip6.search(ip) for ip in _ips(server, 6)):
        return False
    if (query.tags or query.tags_any or query.not_tags or query.not_tags_any) and not _tags_match(
        set(server.spec.tags), query
    ):
        return False
    if query.locked is not None and server.spec.locked != query.locked:
        return False
    if not _changed_within(server, query):
        return False
    return all(_equal(server, key, wanted, refs) for key, wanted in query.equal.items())


def _changed_within(server: Server, query: ListQuery) -> bool:
    if query.changes_since is None and query.changes_before is None:
        return True
    updated = server_memo.value(server, "updated", _updated)
    if updated is None:
        return False
    if query.changes_since is not None and updated < query.changes_since:
        return False
    return query.changes_before is None or updated <= query.changes_before


def _tags_match(tags: set[str], query: ListQuery) -> bool:
    if query.tags and not set(query.tags) <= tags:
        return False
    if query.tags_any and not tags & set(query.tags_any):
        return False
    if query.not_tags and set(query.not_tags) <= tags:
        return False
    return not (query.not_tags_any and tags & set(query.not_tags_any))


def _sort_value(value: Any) -> tuple[bool, Any]:
    return (value is not None, value if value is not None else 0)


def ordered(servers: Iterable[Server], sort: list[tuple[str, str]], refs: Refs) -> list[Server]:
    """``servers`` sorted by Nova's sort keys; unset values sort first, as NULLs do in Nova's DB.

    A key repeated after its first place never decides (the servers it would order are equal in
    it already), so it is not sorted by again (Nova's default order names ``created_at`` twice).
    """
    result = list(servers)
    firsts: dict[str, str] = {}
    for key, direction in sort:
        firsts.setdefault(key, direction)
    for key, direction in reversed(firsts.items()):
        sort_key: Callable[[Server], tuple[bool, Any]]
        by_refs = _REFS_GETTERS.get(key)
        if by_refs is not None:

            def sort_key(server: Server, getter: Getter = by_refs) -> tuple[bool, Any]:
                return _sort_value(getter(server, refs))

        else:
            getter, name = _SERVER_GETTERS[key], "sort:" + key

            def compute(server: Server, getter: Callable[[Server], Any] = getter) -> tuple[bool, Any]:
                return _sort_value(getter(server))

            def sort_key(server: Server, name: str = name, compute: Computed = compute) -> tuple[bool, Any]:
                return server_memo.value(server, name, compute)

        result.sort(key=sort_key, reverse=direction == "desc")
    return result


# ----- one page of a list request -----------------------------------------------------------------

_P = "os_compute_api:servers:"


@dataclass(frozen=True)
class Page:
    """The servers of one page, what their representations need, and the next-page links."""

    servers: list[Server]
    refs: dict[str, views.ServerRefs]
    links: list[dict[str, str]]


def _namespaces(
    ctx: RequestContext, identity: IdentityService, query: servers_query.ListQuery
) -> set[str] | None:
    """Where to look: the caller's project, or (``all_tenants``) every or one named project."""
    if not query.all_tenants:
        return {ctx.namespace} if ctx.namespace else set()
    if query.project_id is None:
        return None
    return {identity.directory().namespace_for(query.project_id) or query.project_id}


def _deleted_wanted(ctx: RequestContext, query: ListQuery) -> bool | None:
    """Nova's ``deleted`` filter: as given (admins only), ``True`` for a ``vm_state``/``status``
    filter asking for deleted servers only (403 for non-admins), else ``None`` (not given)."""
    states = query.states
    deleted_only = bool(states) and all(vm is VmState.DELETED for vm, _ in states or ())
    if deleted_only or query.equal.get("vm_state") == {VmState.DELETED.value}:
        if not ctx.is_admin:
            raise errors.ForbiddenError("Only administrators may list deleted instances")
        return True
    return query.deleted


def _servers(store: Store, ctx: RequestContext, identity: IdentityService, query: ListQuery) -> list[Server]:
    """Live servers and deleted ones (records) as Nova's database query would return them:
    ``deleted=True`` gives the deleted and soft-deleted servers, ``deleted=False`` (or no filter
    and no ``changes-since``/``changes-before``) the live ones without the soft-deleted, and
    ``changes-since``/``changes-before`` without ``deleted`` all of them."""
    namespaces = _namespaces(ctx, identity, query)
    live = store.servers.in_namespaces(namespaces)
    deleted = _deleted_wanted(ctx, query)
    if deleted is None and (query.changes_since is not None or query.changes_before is not None):
        return live + store.server_records.deleted_servers(namespaces)
    if deleted:
        soft = [s for s in live if s.status.vm_state is VmState.SOFT_DELETED]
        return soft + store.server_records.deleted_servers(namespaces)
    return [s for s in live if s.status.vm_state is not VmState.SOFT_DELETED]


def page(
    query_params: QueryParams,
    *,
    ctx: RequestContext,
    version: APIVersion,
    store: Store,
    identity: IdentityService,
    max_limit: int,
    urls: PublicUrls,
    detail: bool,
) -> Page:
    kind = "detail" if detail else "index"
    policy.authorize(ctx, _P + kind)
    query = servers_query.parse(
        query_params, version, all_filters=policy.allowed(ctx, _P + "allow_all_filters")
    )
    if query.all_tenants:
        policy.authorize(ctx, f"{_P}{kind}:get_all_tenants")
    resolved: dict[str, views.ServerRefs] = {}

    def lookup(server: Server) -> views.ServerRefs:
        if server.server_id not in resolved:
            resolved[server.server_id] = resolve_refs(store, identity, server)
        return resolved[server.server_id]

    candidates = [s for s in _servers(store, ctx, identity, query) if matches(s, query, lookup)]
    requested = pagination.page_request(query_params, max_limit)
    items = pagination.paginate(ordered(candidates, query.sort, lookup), requested, lambda s: s.server_id)
    path = ("servers", "detail") if detail else ("servers",)
    links = pagination.next_links(
        items, requested, lambda s: s.server_id, base_url=urls.compute(*path), query=query_params
    )
    return Page(items, {s.server_id: lookup(s) for s in items}, links)
