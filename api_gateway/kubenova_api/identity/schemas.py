"""``POST /v3/auth/tokens`` request bodies (password and token methods; project scope)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DomainRef(_Body):
    id: str | None = None
    name: str | None = None


class PasswordUser(_Body):
    id: str | None = None
    name: str | None = None
    domain: DomainRef | None = None
    password: str


class PasswordMethod(_Body):
    user: PasswordUser


class TokenMethod(_Body):
    id: str


class IdentityPart(_Body):
    methods: list[str] = Field(min_length=1)
    password: PasswordMethod | None = None
    token: TokenMethod | None = None


class ProjectRef(_Body):
    id: str | None = None
    name: str | None = None
    domain: DomainRef | None = None


class Scope(_Body):
    project: ProjectRef | None = None
    domain: dict[str, Any] | None = None
    system: dict[str, Any] | None = None


class Auth(_Body):
    identity: IdentityPart
    # Keystone also accepts the string "unscoped".
    scope: Scope | str | None = None


class AuthRequest(_Body):
    auth: Auth
