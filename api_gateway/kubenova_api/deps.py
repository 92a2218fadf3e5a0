"""Typed FastAPI dependencies, so route signatures read like a spec.

- ``Context``: the authenticated caller (401 without a valid ``X-Auth-Token``).
- ``Version``: the negotiated compute microversion (set by the middleware).
- ``Urls``: public URL builder for links.  ``RequestId``: this request's ``req-<uuid>``.
- ``StoreDep`` / ``SettingsDep`` / ``IdentityDep``: what the process holds (``app_state``).
- ``JsonBody``: the decoded JSON body (400 "Malformed request body" otherwise); validate it with
  ``schemas.validation.parse_body`` once the version is known.
- ``LegacyV2``: the request came in on the legacy ``/v2`` endpoint (v2.0 compatibility).
- ``strict_query("limit", ...)``: a route dependency refusing other query parameters from 2.75.
- ``min_version("2.55")``: a route dependency making the route 404 below that microversion.
- ``ListDep``: all of the above that a paged list route reads, as one parameter (``ListCall``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from kubenova_api import errors, microversions, urls
from kubenova_api.app_state import AppState
from kubenova_api.body_limits import MAX_BODY_BYTES, TOO_LARGE
from kubenova_api.context import RequestContext
from kubenova_api.identity.service import IdentityService
from kubenova_api.schemas.queries import STRICT_SINCE, refuse_unknown
from kubenova_api.settings import Settings
from kubenova_api.store import Store


def get_app_state(request: Request) -> AppState:
    held = getattr(request.app.state, "gateway", None)
    if not isinstance(held, AppState):
        raise errors.UnavailableError("The gateway is starting.")
    return held


def get_settings(request: Request) -> Settings:
    return get_app_state(request).settings


def get_store(request: Request) -> Store:
    return get_app_state(request).store


def get_identity(request: Request) -> IdentityService:
    return get_app_state(request).identity


def get_urls(request: Request) -> urls.PublicUrls:
    public = getattr(request.state, "urls", None)
    if not isinstance(public, urls.PublicUrls):
        raise RuntimeError("GatewayMiddleware is not installed")
    return public


def get_request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", ""))


def get_version(request: Request) -> microversions.APIVersion:
    version = getattr(request.state, "api_version", None)
    return version if isinstance(version, microversions.APIVersion) else microversions.DEFAULT_VERSION


def authenticate(request: Request) -> RequestContext:
    """Validate ``X-Auth-Token`` and describe the caller."""
    token = request.headers.get("x-auth-token")
    if not token:
        raise errors.UnauthorizedError()
    identity = get_identity(request)
    auth = identity.validate(token)
    project_id = auth.project.id if auth.project else None
    in_path = getattr(request.state, "project_in_path", None)
    if in_path is not None and in_path != project_id:
        # Nova: the legacy /v2.1/{project_id}/... form names the token's own project, or is refused.
        raise errors.BadRequestError(
            f"Malformed request URL: URL's project_id '{in_path}' doesn't match Context's "
            f"project_id '{project_id}'"
        )
    namespace = identity.directory().namespace_for(auth.project.id) if auth.project else None
    return RequestContext(
        user_id=auth.user.id,
        user_name=auth.user.name,
        project_id=auth.project.id if auth.project else None,
        project_name=auth.project.name if auth.project else None,
        namespace=namespace,
        roles=frozenset(role.name for role in auth.roles),
        request_id=get_request_id(request),
        token=auth.token,
    )


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise errors.PayloadTooLargeError(TOO_LARGE)  # the middleware stops such bodies earlier
    try:
        return json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurd nesting
        raise errors.BadRequestError("Malformed request body") from None


def get_legacy_v2(request: Request) -> bool:
    """Whether the request came in on the legacy ``/v2`` endpoint (see ``middleware``)."""
    return bool(getattr(request.state, "legacy_v2", False))


def min_version(version: str) -> Callable[[Request], None]:
    """Route dependency: below ``version`` the route does not exist (404, as in Nova)."""
    floor = microversions.APIVersion.parse(version)

    def check(request: Request) -> None:
        if get_version(request) < floor:
            raise errors.NotFoundError()

    return check


def strict_query(*known: str, since: str = STRICT_SINCE) -> Callable[[Request], None]:
    """Route dependency: from ``since`` (2.75 for the routes Nova closed then, 2.102 for the
    rest) a query parameter outside ``known`` is a 400; below it unknown ones are ignored."""
    allowed = frozenset(known)

    def check(request: Request) -> None:
        refuse_unknown(request.query_params, allowed, get_version(request), since=since)

    return check


def strict_query_from_2102(*known: str) -> Callable[[Request], None]:
    """``strict_query`` for the routes whose Nova query schema closed at 2.102."""
    return strict_query(*known, since="2.102")


Context = Annotated[RequestContext, Depends(authenticate)]
Version = Annotated[microversions.APIVersion, Depends(get_version)]
Urls = Annotated[urls.PublicUrls, Depends(get_urls)]
RequestId = Annotated[str, Depends(get_request_id)]
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
IdentityDep = Annotated[IdentityService, Depends(get_identity)]
JsonBody = Annotated[Any, Depends(json_body)]
LegacyV2 = Annotated[bool, Depends(get_legacy_v2)]


class ListCall:
    """What a paged list route reads, as one dependency: the query, the caller, the microversion,
    the watch caches, Keystone, the settings (``max_limit``) and the public URLs."""

    def __init__(
        self,
        *,
        request: Request,
        ctx: Context,
        version: Version,
        store: StoreDep,
        identity: IdentityDep,
        settings: SettingsDep,
        urls: Urls,
    ) -> None:
        self.query = request.query_params
        self.ctx = ctx
        self.version = version
        self.store = store
        self.identity = identity
        self.max_limit = settings.max_limit
        self.urls = urls


ListDep = Annotated[ListCall, Depends()]
