"""``/v3/projects`` and ``/v3/users`` reads, for OSC's ``--project``/``--user`` lookups.

Admins see everything; other callers see the projects they have roles in and only themselves,
so a name lookup (path → 404, then ``?name=``) still works for them.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kubenova_api import errors, policy
from kubenova_api.deps import Context, IdentityDep, Urls
from kubenova_api.identity import views
from kubenova_api.identity.directory import Project, User
from kubenova_api.urls import IDENTITY, IDENTITY_VERSION

V3 = f"/{IDENTITY}/{IDENTITY_VERSION}"

router = APIRouter()
EntryT = TypeVar("EntryT", Project, User)


def _visible_projects(ctx_user_id: str, is_admin: bool, identity: IdentityDep) -> list[Project]:
    directory = identity.directory()
    return list(directory.config.projects) if is_admin else directory.projects_of(ctx_user_id)


def _visible_users(ctx_user_id: str, is_admin: bool, identity: IdentityDep) -> list[User]:
    users = identity.directory().config.users
    return list(users) if is_admin else [u for u in users if u.id == ctx_user_id]


def _filtered(items: list[EntryT], request: Request) -> list[EntryT]:
    name = request.query_params.get("name")
    domain_id = request.query_params.get("domain_id")
    enabled = request.query_params.get("enabled")
    return [
        item
        for item in items
        if (name is None or item.name == name)
        and (domain_id is None or item.domain_id == domain_id)
        and (enabled is None or item.enabled == (enabled.lower() not in ("0", "false", "no")))
    ]


@router.get(f"{V3}/projects")
async def list_projects(request: Request, ctx: Context, identity: IdentityDep, urls: Urls) -> JSONResponse:
    admin = policy.allowed(ctx, "identity:list_projects")
    projects = _filtered(_visible_projects(ctx.user_id, admin, identity), request)
    items = [views.project_body(p, urls) for p in projects]
    return JSONResponse(views.collection("projects", items, urls.identity("projects")))


@router.get(f"{V3}/projects/{{project_id}}")
async def show_project(project_id: str, ctx: Context, identity: IdentityDep, urls: Urls) -> JSONResponse:
    admin = policy.allowed(ctx, "identity:list_projects")
    project = next((p for p in _visible_projects(ctx.user_id, admin, identity) if p.id == project_id), None)
    if project is None:
        raise errors.NotFoundError(f"Could not find project: {project_id}.")
    return JSONResponse({"project": views.project_body(project, urls)})


@router.get(f"{V3}/users")
async def list_users(request: Request, ctx: Context, identity: IdentityDep, urls: Urls) -> JSONResponse:
    admin = policy.allowed(ctx, "identity:list_users")
    users = _filtered(_visible_users(ctx.user_id, admin, identity), request)
    items = [views.user_body(u, urls) for u in users]
    return JSONResponse(views.collection("users", items, urls.identity("users")))


@router.get(f"{V3}/users/{{user_id}}")
async def show_user(user_id: str, ctx: Context, identity: IdentityDep, urls: Urls) -> JSONResponse:
    admin = policy.allowed(ctx, "identity:list_users")
    user = next((u for u in _visible_users(ctx.user_id, admin, identity) if u.id == user_id), None)
    if user is None:
        raise errors.NotFoundError(f"Could not find user: {user_id}.")
    return JSONResponse({"user": views.user_body(user, urls)})


@router.get(f"{V3}/auth/projects")
async def auth_projects(ctx: Context, identity: IdentityDep, urls: Urls) -> JSONResponse:
    """Projects the token's user may scope to (keystoneauth uses it after unscoped auth)."""
    items = [views.project_body(p, urls) for p in identity.directory().projects_of(ctx.user_id)]
    return JSONResponse(views.collection("projects", items, urls.identity("auth", "projects")))
