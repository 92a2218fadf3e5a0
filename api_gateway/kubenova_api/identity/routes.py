"""Keystone v3 routes under ``/identity``: discovery, tokens, and project/user reads."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from kubenova_api import errors
from kubenova_api.deps import Context, IdentityDep, JsonBody, SettingsDep, Urls
from kubenova_api.identity import views
from kubenova_api.identity.authentication import issue_token
from kubenova_api.identity.resources import router as resources_router
from kubenova_api.identity.schemas import AuthRequest
from kubenova_api.identity.service import Authenticated, IdentityService
from kubenova_api.schemas.validation import parse_body
from kubenova_api.urls import IDENTITY, IDENTITY_VERSION

V3 = f"/{IDENTITY}/{IDENTITY_VERSION}"
SUBJECT_TOKEN = "X-Subject-Token"

router = APIRouter()


@router.get(f"/{IDENTITY}")
@router.get(f"/{IDENTITY}/")
async def versions(urls: Urls) -> JSONResponse:
    """300 with the v3 entry; keystoneauth builds the token URL from its ``self`` link."""
    return JSONResponse(
        views.versions_document(urls), status_code=300, headers={"Location": urls.identity() + "/"}
    )


@router.get(V3)
@router.get(f"{V3}/")
async def version(urls: Urls) -> JSONResponse:
    return JSONResponse(views.version_document(urls))


def _wants_catalog(request: Request) -> bool:
    return "nocatalog" not in request.query_params


@router.post(f"{V3}/auth/tokens")
async def create_token(
    body: JsonBody, request: Request, identity: IdentityDep, settings: SettingsDep, urls: Urls
) -> JSONResponse:
    token, auth = await issue_token(identity, parse_body(AuthRequest, body))
    payload = views.token_body(
        auth, identity.directory(), urls, settings.region, with_catalog=_wants_catalog(request)
    )
    return JSONResponse(payload, status_code=201, headers={SUBJECT_TOKEN: token})


def _subject(request: Request, ctx_user_id: str, is_admin: bool, identity: IdentityService) -> Authenticated:
    """The token named by X-Subject-Token; callers may inspect their own tokens, admins any."""
    subject = request.headers.get(SUBJECT_TOKEN.lower())
    if not subject:
        raise errors.BadRequestError("X-Subject-Token is required.")
    try:
        auth = identity.validate(subject)
    except errors.UnauthorizedError:
        raise errors.NotFoundError(f"Could not find token: {subject[:16]}...") from None
    if not is_admin and auth.user.id != ctx_user_id:
        raise errors.ForbiddenError(
            "You are not authorized to perform the requested action: identity:validate_token."
        )
    return auth


@router.get(f"{V3}/auth/tokens")
async def validate_token(
    request: Request, ctx: Context, identity: IdentityDep, settings: SettingsDep, urls: Urls
) -> JSONResponse:
    auth = _subject(request, ctx.user_id, ctx.is_admin, identity)
    payload = views.token_body(
        auth, identity.directory(), urls, settings.region, with_catalog=_wants_catalog(request)
    )
    return JSONResponse(payload, headers={SUBJECT_TOKEN: request.headers[SUBJECT_TOKEN.lower()]})


@router.head(f"{V3}/auth/tokens")
async def check_token(request: Request, ctx: Context, identity: IdentityDep) -> Response:
    _subject(request, ctx.user_id, ctx.is_admin, identity)
    return Response(status_code=200, headers={SUBJECT_TOKEN: request.headers[SUBJECT_TOKEN.lower()]})


@router.delete(f"{V3}/auth/tokens")
async def revoke_token(request: Request, ctx: Context, identity: IdentityDep) -> Response:
    auth = _subject(request, ctx.user_id, ctx.is_admin, identity)
    await identity.revoke(auth.token)
    return Response(status_code=204)


router.include_router(resources_router)
