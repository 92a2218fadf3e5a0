"""Who is calling: the request context every authenticated handler receives (``deps.Context``)."""

from __future__ import annotations

from dataclasses import dataclass

from kubenova_api.identity.tokens import TokenData

ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class RequestContext:
    """The caller of one request, taken from a validated token."""

    user_id: str
    user_name: str
    project_id: str | None
    project_name: str | None
    namespace: str | None  # Kubernetes namespace of the project's servers
    roles: frozenset[str]
    request_id: str
    token: TokenData

    @property
    def is_admin(self) -> bool:
        """Nova's ``context_is_admin``: the admin role, in whatever project the token is scoped to."""
        return ADMIN_ROLE in self.roles

    def has_role(self, role: str) -> bool:
        return role in self.roles
