"""``/os-keypairs``: per-user keypairs (create/import, list, show, delete)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from kubenova.resources import Keypair
from kubenova.resources.keypair import KeypairSpec
from kubenova_api import errors, keys, pagination, policy
from kubenova_api.context import RequestContext
from kubenova_api.deps import Context, JsonBody, SettingsDep, StoreDep, Urls, Version, strict_query
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.keypairs import KeypairCreateV22, KeypairCreateV210, create_model
from kubenova_api.schemas.validation import parse_body
from kubenova_api.store import Store
from kubenova_api.views import keypairs as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/os-keypairs")
_P = "os_compute_api:os-keypairs:"


def _target_user(request: Request, ctx: RequestContext, version: APIVersion) -> str:
    """``?user_id=`` names another user's keys from 2.10 (admins only, by policy)."""
    requested = request.query_params.get("user_id") if version >= "2.10" else None
    return requested or ctx.user_id


def _owned(store: Store, user_id: str, name: str) -> Keypair:
    keypair = store.keypairs.find(user_id, name)
    if keypair is None:
        raise errors.NotFoundError(f"Keypair {name} not found for user {user_id}")
    return keypair


@router.post("")
async def create_keypair(
    *, body: JsonBody, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep
) -> JSONResponse:
    request = parse_body(create_model(version), body).keypair
    key_type = request.type if isinstance(request, KeypairCreateV22) else "ssh"
    user_id = (request.user_id if isinstance(request, KeypairCreateV210) else None) or ctx.user_id
    policy.authorize(ctx, _P + "create", user_id=user_id)
    if store.keypairs.find(user_id, request.name) is not None:
        raise errors.AlreadyExistsError(f"Key pair '{request.name}' already exists.")
    quota = settings.quotas.key_pairs
    if quota >= 0 and len(store.keypairs.owned_by(user_id)) >= quota:
        raise errors.QuotaExceededError("Quota exceeded, too many key pairs.")
    private_key = None
    public_key = request.public_key
    if public_key is None:
        generated = keys.generate_x509(user_id) if key_type == "x509" else keys.generate_ssh()
        public_key, private_key = generated.public_key, generated.private_key
    else:
        keys.fingerprint(public_key, key_type)  # 400 for keys that do not parse
    spec = KeypairSpec(name=request.name, user_id=user_id, type=key_type, public_key=public_key.strip())
    keypair = await store.keypairs.create(spec)
    status = 201 if version >= "2.2" else 200
    return JSONResponse(views.create(keypair, version, private_key=private_key), status_code=status)


@router.get("", dependencies=[Depends(strict_query("user_id", "limit", "marker"))])
async def list_keypairs(
    *, request: Request, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep, urls: Urls
) -> JSONResponse:
    user_id = _target_user(request, ctx, version)
    policy.authorize(ctx, _P + "index", user_id=user_id)
    owned = sorted(store.keypairs.owned_by(user_id), key=lambda kp: kp.key_name)
    body: dict[str, object] = {}
    if version >= "2.35":
        page = pagination.page_request(request.query_params, settings.max_limit)
        owned = pagination.paginate(owned, page, lambda kp: kp.key_name)
        links = pagination.next_links(
            owned,
            page,
            lambda kp: kp.key_name,
            base_url=urls.compute("os-keypairs"),
            query=request.query_params,
        )
        if links:
            body["keypairs_links"] = links
    body = {"keypairs": [views.index_item(kp, version) for kp in owned], **body}
    return JSONResponse(body)


@router.get("/{name}", dependencies=[Depends(strict_query("user_id"))])
async def show_keypair(
    *, name: str, request: Request, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    user_id = _target_user(request, ctx, version)
    policy.authorize(ctx, _P + "show", user_id=user_id)
    return JSONResponse(views.show(_owned(store, user_id, name), version))


@router.delete("/{name}", dependencies=[Depends(strict_query("user_id"))])
async def delete_keypair(
    *, name: str, request: Request, ctx: Context, version: Version, store: StoreDep
) -> Response:
    user_id = _target_user(request, ctx, version)
    policy.authorize(ctx, _P + "delete", user_id=user_id)
    await store.keypairs.delete(_owned(store, user_id, name))
    return Response(status_code=204 if version >= "2.2" else 202)
