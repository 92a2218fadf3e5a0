"""``/v3/domains``, ``/v3/projects`` and ``/v3/users`` reads, for OSC's ``--project``/``--user``
lookups and the SDK's ``--domain``/``find_domain``.

Keystone's default policies: admins list and show everything; anyone else may show only the
domain of their token's project, the project their token is scoped to and their own user, and is
refused (403) every listing and any other id, existing or not. (OSC's ``find_user``/``find_project``
take a 403 as "use the value as an id", so a member's ``--project <id>`` still works.)
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kubenova_api import errors, policy
from kubenova_api.deps import Context, IdentityDep, Urls
from kubenova_api.identity import views
from kubenova_api.identity.directory import Domain, Project, User
from kubenova_api.urls import IDENTITY, IDENTITY_VERSION

V3 = f"/{IDENTITY}/{IDENTITY_VERSION}"

router = APIRouter()
EntryT = TypeVar("EntryT", Domain, Project, User)


def _refuse(action: str) -> errors.ForbiddenError:
    return errors.ForbiddenError(f"You are not authorized to perform the requested action: {action}.")


def _filtered(items: list[EntryT], request: Request) -> list[EntryT]:
    name = request.query_params.get("name")
    domain_id = request.query_params.get("domain_id")
    enabled = request.query_params.get("enabled")
    return [
        item
        for item in items
        if (name is None or item.name == name)
        and (domain_id is None or getattr(item, "domain_id", domain_id) == domain_id)
        and (enabled is None or item.enabled == (enabled.lower() not in ("0", "false", "no")))
    ]


@router.get(f"{V3}/domains")
async def list_domains(request: Request, ctx: Context, identity: IdentityDep, urls: Urls) -> JSONResponse:
    if not policy.allowed(ctx, "identity:list_domains"):
        raise _refuse("identity:list_domains")
    domains = _filtered(list(identity.directory().config.domains), request)
    items = [views.domain_body(d, urls) for d in domains]
    return JSONResponse(views.collection("domains", items, urls.identity("domains")))


@router.get(f"{V3}/domains/{{domain_id}}")
async def show_domain(domain_id: str, ctx: Context, identity: IdentityDep, urls: Urls) -> JSONResponse:
    """Keystone's ``identity:get_domain``: an admin, or a token whose project is in that domain."""
    directory = identity.directory()
    project = directory.project_by_id(ctx.project_id) if ctx.project_id else None
    own = project is not None and project.domain_id == domain_id
    if not policy.allowed(ctx, "identity:list_domains") and not own:
        raise _refuse("identity:get_domain")
    domain = directory.domain(domain_id=domain_id)
    if domain is None:
        raise errors.NotFoundError(f"Could not find domain: {domain_id}.")
    return JSONResponse({"domain": views.domain_body(domain, urls)})


@router.get(f"{V3}/projects")
async def list_projects(request: Request, ctx: Context, identity: IdentityDep, urls: Urls) -> JSONResponse:
    if not policy.allowed(ctx, "identity:list_projects"):
        raise _refuse("identity:list_projects")
    projects = _filtered(list(identity.directory().config.projects), request)
    items = [views.project_body(p, urls) for p in projects]
    return JSONResponse(views.collection("projects", items, urls.identity("projects")))


@router.get(f"{V3}/projects/{{project_id}}")
async def show_project(project_id: str, ctx: Context, identity: IdentityDep, urls: Urls) -> JSONResponse:
    """Keystone's ``identity:get_project``: an admin, or a token scoped to that very project.
    Anyone else is refused whether or not the project exists (no existence oracle)."""
    if not policy.allowed(ctx, "identity:list_projects") and project_id != ctx.project_id:
        raise _refuse("identity:get_project")
    project = next((p for p in identity.directory().config.projects if p.id == project_id), None)
    if project is None:
        raise errors.NotFoundError(f"Could not find project: {project_id}.")
    return JSONResponse({"project": views.project_body(project, urls)})


@router.get(f"{V3}/users")
async def list_users(request: Request, ctx: Context, identity: IdentityDep, urls: Urls) -> JSONResponse:
    if not policy.allowed(ctx, "identity:list_users"):
        raise _refuse("identity:list_users")
    users = _filtered(list(identity.directory().config.users), request)
    items = [views.user_body(u, urls) for u in users]
    return JSONResponse(views.collection("users", items, urls.identity("users")))


@router.get(f"{V3}/users/{{user_id}}")
async def show_user(user_id: str, ctx: Context, identity: IdentityDep, urls: Urls) -> JSONResponse:
    """Keystone's ``identity:get_user``: an admin, or the user itself."""
    if not policy.allowed(ctx, "identity:list_users") and user_id != ctx.user_id:
        raise _refuse("identity:get_user")
    user = next((u for u in identity.directory().config.users if u.id == user_id), None)
    if user is None:
        raise errors.NotFoundError(f"Could not find user: {user_id}.")
    return JSONResponse({"user": views.user_body(user, urls)})


@router.get(f"{V3}/auth/projects")
async def auth_projects(ctx: Context, identity: IdentityDep, urls: Urls) -> JSONResponse:
    """Projects the token's user may scope to (keystoneauth uses it after unscoped auth)."""
    items = [views.project_body(p, urls) for p in identity.directory().projects_of(ctx.user_id)]
    return JSONResponse(views.collection("projects", items, urls.identity("auth", "projects")))
