"""``GET /servers/detail`` from memoized list items (``server_memo``, ``views.server_list_json``):
the same bytes as every item rendered anew, after the Server, a Flavor, an Image or a Node
changed, for each microversion and role; a memo never outlives its Server object's version."""

from __future__ import annotations

import copy
import gc
import time
import weakref
from typing import Any, cast

import pydantic_core
import pytest
from starlette.datastructures import QueryParams

from kubenova.resources import Server
from kubenova_api import server_memo
from kubenova_api.compute import server_listing
from kubenova_api.compute.refs import refs, view_options
from kubenova_api.context import RequestContext
from kubenova_api.deps import ListCall
from kubenova_api.identity.service import IdentityService
from kubenova_api.identity.tokens import TokenData
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import servers as router
from kubenova_api.store import Store
from kubenova_api.urls import PublicUrls
from kubenova_api.views import server_list_json
from kubenova_api.views import servers as views
from kubenova_api.views.json_response import EncodedJSONResponse, FastJSONResponse
from tests.bench import server_list as bench

URLS = PublicUrls("http://memo.example")
VERSIONS = ("2.1", "2.16", "2.47", "2.75", "2.98", "2.100")
SERVERS = 60


def _ctx(admin: bool) -> RequestContext:
    roles = ("admin", "member", "reader") if admin else ("member", "reader")
    token = TokenData("u", bench.PROJECT_ID, roles, time.time(), time.time() + 3600, "a")
    return RequestContext("u", "u", bench.PROJECT_ID, "bench", bench.NAMESPACE, frozenset(roles), "r", token)


def _identity() -> IdentityService:
    return cast(IdentityService, bench._Identity())


def _listed(store: Store, version: str, ctx: RequestContext, query: dict[str, str]) -> bytes:
    """The body the router answers (memoized items)."""

    class _Request:
        query_params = QueryParams(query)

    call = ListCall(
        request=cast(Any, _Request()),
        ctx=ctx,
        version=APIVersion.parse(version),
        store=store,
        identity=_identity(),
        settings=cast(Any, type("Settings", (), {"max_limit": 1000})()),
        urls=URLS,
    )
    route = router.list_servers_detail(call)
    with pytest.raises(StopIteration) as done:
        route.send(None)
    return bytes(done.value.value.body)


def _rendered_anew(store: Store, version: str, ctx: RequestContext, query: dict[str, str]) -> bytes:
    """The body as before the memo: every item rendered, the whole collection encoded at once."""
    parsed = APIVersion.parse(version)
    page = server_listing.page(
        QueryParams(query),
        ctx=ctx,
        version=parsed,
        store=store,
        identity=_identity(),
        max_limit=1000,
        urls=URLS,
        detail=True,
    )
    opts = view_options(ctx, parsed, URLS)
    items = [views.detail(s, page.refs[s.server_id], opts) for s in page.servers]
    return bytes(FastJSONResponse(views.collection(items, page.links)).body)


def _assert_same(store: Store, version: str = "2.100", admin: bool = True, limit: int = 1000) -> bytes:
    ctx, query = _ctx(admin), {"limit": str(limit)}
    first, again = _listed(store, version, ctx, query), _listed(store, version, ctx, query)
    assert first == again == _rendered_anew(store, version, ctx, query)
    return first


def _modify(store: Store, plural: str, obj: dict[str, Any]) -> None:
    """A watch event: ``obj`` at a newer resourceVersion."""
    informer = next(i for i in store.informers() if i.name == plural)
    obj["metadata"]["resourceVersion"] = str(int(obj["metadata"]["resourceVersion"]) + 100_000)
    assert informer._cache.apply("MODIFIED", obj) is not None


@pytest.fixture
def store() -> Store:
    return bench.filled_store(SERVERS)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("admin", [True, False])
@pytest.mark.parametrize("limit", [1000, 7])
def test_the_body_is_the_bytes_of_every_item_rendered_anew(
    store: Store, version: str, admin: bool, limit: int
) -> None:
    body = _assert_same(store, version, admin, limit)
    assert (b'"servers_links"' in body) == (limit < SERVERS)


def test_versions_and_roles_listing_one_project_in_turn_never_share_items(store: Store) -> None:
    for _ in range(2):
        for version in ("2.1", "2.100", "2.47"):
            for admin in (True, False):
                _assert_same(store, version, admin)


def test_the_encoded_response_has_the_json_responses_headers() -> None:
    content = {"servers": [{"id": "x", "name": "é"}]}
    fast = FastJSONResponse(content)
    assert (
        EncodedJSONResponse(
            server_list_json.collection([pydantic_core.to_json(content["servers"][0])], [])
        ).raw_headers
        == fast.raw_headers
    )


def test_a_new_server_version_is_rendered_anew_and_the_old_memo_dropped(store: Store) -> None:
    before = _assert_same(store)
    old = store.servers.find(bench._server(3, bench.NAMESPACE)["metadata"]["uid"])
    assert old is not None
    old_ref = weakref.ref(old)
    del old
    changed = bench._server(3, bench.NAMESPACE)
    changed["spec"]["name"] = "renamed-3"
    changed["status"].update(status="SHUTOFF", vmState="stopped", powerState="Shutdown")
    _modify(store, "servers", changed)
    after = _assert_same(store)
    assert b'"renamed-3"' in after
    assert b'"renamed-3"' not in before
    gc.collect()
    assert old_ref() is None
    assert all(memo() is not None for memo in list(server_memo._MEMOS.values()))


def test_a_changed_flavor_is_rendered_anew(store: Store) -> None:
    unembedded = bench._server(5, bench.NAMESPACE)
    del unembedded["status"]["flavor"]  # before the operator embeds it the Flavor stands in
    _modify(store, "servers", unembedded)
    before = _assert_same(store)
    flavor = bench._others()["flavors"][0]
    flavor["spec"]["ram"] = 4096
    _modify(store, "flavors", flavor)
    after = _assert_same(store)
    assert b'"ram":4096' in after
    assert b'"ram":4096' not in before


def test_a_changed_image_is_rendered_anew(store: Store) -> None:
    before = _assert_same(store, "2.98")
    image = bench._others()["images"][0]
    image["spec"]["properties"] = {"os_distro": "cirros", "hw_rng_model": "virtio"}
    _modify(store, "images", image)
    after = _assert_same(store, "2.98")
    assert b'"hw_rng_model":"virtio"' in after
    assert b"hw_rng_model" not in before


def test_a_changed_node_is_rendered_anew(store: Store) -> None:
    before = _assert_same(store, "2.16")
    node = bench._others()["nodes"][0]
    node["spec"]["unschedulable"] = True
    node["status"]["conditions"] = [{"type": "Ready", "status": "False"}]
    _modify(store, "nodes", node)
    after = _assert_same(store, "2.16")
    assert after != before


def _server(store: Store) -> Server:
    server = store.servers.find(bench._server(0, bench.NAMESPACE)["metadata"]["uid"])
    assert server is not None
    return server


@pytest.mark.parametrize("kept", [1000, server_memo.VIEWS_PER_SERVER])
def test_versions_roles_and_references_never_share_an_item(
    store: Store, kept: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_memo, "VIEWS_PER_SERVER", kept)  # 1000: nothing is evicted
    server = _server(store)
    refs = views.ServerRefs("p", "2", server.status.flavor, "img", {"os": "x"}, "UP", ("g1",))
    others = [
        refs,
        views.ServerRefs("p", "2", server.status.flavor, "img", {"os": "y"}, "UP", ("g1",)),
        views.ServerRefs("p", "2", server.status.flavor, "img", {"os": "x"}, "DOWN", ("g1",)),
        views.ServerRefs("p", "2", server.status.flavor, "img", {"os": "x"}, "UP", ()),
        views.ServerRefs("q", "2", server.status.flavor, "img", {"os": "x"}, "UP", ("g1",)),
        views.ServerRefs("p", "2", server.status.flavor, None, {}, "UP", ("g1",)),
        views.ServerRefs("p", "2", server.status.flavor, "img2", {"os": "x"}, "UP", ("g1",)),
        views.ServerRefs("p", "3", server.status.flavor, "img", {"os": "x"}, "UP", ("g1",)),
    ]
    options = [
        view_options(_ctx(admin), APIVersion.parse(v), URLS) for v in VERSIONS for admin in (True, False)
    ]
    options.append(view_options(_ctx(True), APIVersion.parse("2.100"), PublicUrls("http://other.example")))
    for _ in range(2):  # the second round reads what the first left (up to VIEWS_PER_SERVER each)
        for each in others:
            for groups, minimal in ((True, False), (False, False), (False, True)):
                for opts in options:  # one after the other for the same references
                    item = server_list_json.detail_item(
                        server, each, opts, show_server_groups=groups, minimal=minimal
                    )
                    direct = views.detail(server, each, opts, show_server_groups=groups, minimal=minimal)
                    assert item == pydantic_core.to_json(direct)
    assert len(server_memo._memo(server).views) == min(kept, len(options) * len(others) * 3)


def test_a_flavor_other_than_the_servers_own_is_keyed_by_value(store: Store) -> None:
    server = _server(store)
    assert server.status.flavor is not None
    opts = view_options(_ctx(True), APIVersion.parse("2.100"), URLS)
    for ram in (1024, 2048, 1024):
        flavor = server.status.flavor.model_copy(update={"ram": ram})
        refs = views.ServerRefs("p", "2", flavor, "img", {}, "UP")
        assert server_list_json.detail_item(server, refs, opts) == pydantic_core.to_json(
            views.detail(server, refs, opts)
        )


def test_a_value_is_computed_once_per_object_and_version() -> None:
    server = Server.model_validate(bench._server(1, "ns"))
    calls: list[str] = []

    def compute(s: Server) -> str:
        calls.append(s.metadata.resource_version or "")
        return s.display_name

    assert server_memo.value(server, "name", compute) == server_memo.value(server, "name", compute)
    server.metadata.resource_version = "99999"  # not how the cache changes a Server, but guarded
    server_memo.value(server, "name", compute)
    copied = Server.model_validate(copy.deepcopy(bench._server(1, "ns")))
    server_memo.value(copied, "name", compute)
    assert calls == ["1001", "99999", "1001"]


def _naive(servers: list[Server], sort: list[tuple[str, str]], store: Store) -> list[Server]:
    """The order before the memo: one stable sort per key, last key first, no key skipped."""
    result = list(servers)
    for key, direction in reversed(sort):
        result.sort(key=lambda s: _naive_key(s, key, store), reverse=direction == "desc")
    return result


def _naive_key(server: Server, key: str, store: Store) -> tuple[bool, Any]:
    getters = {**server_listing._SERVER_GETTERS}
    value = (
        server_listing._REFS_GETTERS[key](server, lambda s: _refs(store, s))
        if key in server_listing._REFS_GETTERS
        else getters[key](server)
    )
    return (value is not None, value if value is not None else 0)


def _refs(store: Store, server: Server) -> views.ServerRefs:
    return refs(store, _identity(), server)


@pytest.mark.parametrize(
    "sort",
    [
        [("created_at", "desc"), ("created_at", "desc"), ("id", "desc")],
        [("host", "asc"), ("launched_at", "desc"), ("host", "desc"), ("id", "asc")],
        [("vm_state", "asc"), ("project_id", "desc"), ("display_name", "asc"), ("uuid", "desc")],
        [("task_state", "desc"), ("locked", "asc"), ("created_at", "asc"), ("id", "asc")],
    ],
)
def test_the_order_is_that_of_one_sort_per_key(store: Store, sort: list[tuple[str, str]]) -> None:
    servers = store.servers.in_namespaces({bench.NAMESPACE})
    for _ in range(2):
        got = server_listing.ordered(servers, sort, lambda s: _refs(store, s))
        assert [s.server_id for s in got] == [s.server_id for s in _naive(servers, sort, store)]
