"""Turning a ``POST /v3/auth/tokens`` body into a token: who is it, and which project?"""

from __future__ import annotations

from kubenova_api import errors
from kubenova_api.identity.directory import DEFAULT_DOMAIN_ID, Directory, Project, User
from kubenova_api.identity.schemas import AuthRequest, DomainRef, PasswordUser, ProjectRef
from kubenova_api.identity.service import Authenticated, IdentityService
from kubenova_api.identity.tokens import TokenData


def _domain_id(directory: Directory, ref: DomainRef | None) -> str:
    if ref is None:
        return DEFAULT_DOMAIN_ID
    domain = directory.domain(domain_id=ref.id, name=ref.name)
    if domain is None or not domain.enabled:
        raise errors.UnauthorizedError()
    return domain.id


def _password_user(directory: Directory, ref: PasswordUser) -> User | None:
    """The user the password is for; ``None`` if there is none (checked like any other, below)."""
    if ref.id:
        return directory.user_by_id(ref.id)
    if ref.name:
        return directory.user_by_name(ref.name, _domain_id(directory, ref.domain))
    raise errors.BadRequestError("Expecting to find id or name in user.")


def _project(directory: Directory, ref: ProjectRef) -> Project:
    if ref.id:
        project = directory.project_by_id(ref.id)
    elif ref.name:
        if ref.domain is None:
            raise errors.BadRequestError("Expecting to find domain in project.")
        project = directory.project_by_name(ref.name, _domain_id(directory, ref.domain))
    else:
        raise errors.BadRequestError("Expecting to find id or name in project.")
    if project is None:
        raise errors.UnauthorizedError()
    return project


async def issue_token(identity: IdentityService, request: AuthRequest) -> tuple[str, Authenticated]:
    """Authenticate with the first supported method and scope the new token."""
    directory = identity.directory()
    part = request.auth.identity
    parent: TokenData | None = None
    if "password" in part.methods and part.password is not None:
        ref = part.password.user
        found = _password_user(directory, ref)
        await identity.check_password(found, ref.password, name=ref.id or ref.name or "")
        if found is None:  # refused by check_password already; kept for the type checker
            raise errors.UnauthorizedError()
        user = found
        methods: tuple[str, ...] = ("password",)
    elif "token" in part.methods and part.token is not None:
        previous = identity.validate(part.token.id)
        user, parent = previous.user, previous.token
        methods = tuple(dict.fromkeys((*previous.token.methods, "token")))
    else:
        raise errors.UnauthorizedError("Only the password and token methods are supported.")

    scope = request.auth.scope
    project: Project | None = None
    if scope is None or scope == "unscoped":
        if parent is not None and parent.project_id is not None:
            project = directory.project_by_id(parent.project_id)
        elif scope is None and user.default_project_id:
            project = directory.project_by_id(user.default_project_id)
    elif isinstance(scope, str):
        raise errors.BadRequestError(f"Invalid scope {scope!r}.")
    elif scope.project is not None:
        project = _project(directory, scope.project)
    else:
        raise errors.UnauthorizedError("kubenova issues project-scoped tokens only.")
    return identity.issue(user, project, methods=methods, parent=parent)
