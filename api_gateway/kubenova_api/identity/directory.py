"""The identity directory: who exists, in which projects, with which roles.

Stored as YAML under key ``identity.yaml`` of the Secret ``kubenova-identity`` (namespace
``kubenova-system``)::

    domains:                      # optional; default: [{id: default, name: Default}]
    - {id: default, name: Default}
    roles:                        # optional; default: admin, manager, member, reader
    - {id: <hex>, name: admin}
    projects:
    - id: 3c1e...                 # Keystone project id = Nova tenant_id (32 hex digits)
      name: demo
      domain_id: default
      namespace: demo             # Kubernetes namespace holding the project's servers
      description: ""
      enabled: true
    users:
    - id: 9b7f...
      name: demo-member
      domain_id: default
      password_hash: $2b$12$...  # bcrypt
      default_project_id: 3c1e...
      email: null
      enabled: true
    role_assignments:             # user and project by name or id
    - {user: demo-member, project: demo, role: member}

Roles imply the ones below them, as Keystone's defaults do: admin → manager → member → reader.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

SECRET_KEY = "identity.yaml"
DEFAULT_DOMAIN_ID = "default"
DEFAULT_DOMAIN_NAME = "Default"
STANDARD_ROLES = ("admin", "manager", "member", "reader")
# Each standard role implies the ones after it.
IMPLIED_ROLES: dict[str, tuple[str, ...]] = {
    name: STANDARD_ROLES[index + 1 :] for index, name in enumerate(STANDARD_ROLES)
}
_ROLE_ID_NAMESPACE = uuid.UUID("5b0f6a3e-8f0c-4a55-9f7e-6f0d2b6c9a11")


def standard_role_id(name: str) -> str:
    """Stable ids for the standard roles, identical in every installation."""
    return uuid.uuid5(_ROLE_ID_NAMESPACE, name).hex


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Domain(_Entry):
    id: str
    name: str
    description: str = ""
    enabled: bool = True


class Role(_Entry):
    id: str
    name: str


class Project(_Entry):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    domain_id: str = DEFAULT_DOMAIN_ID
    namespace: str = Field(min_length=1, max_length=63, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    description: str = ""
    enabled: bool = True


class User(_Entry):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    domain_id: str = DEFAULT_DOMAIN_ID
    password_hash: str | None = None
    default_project_id: str | None = None
    email: str | None = None
    enabled: bool = True


class RoleAssignment(_Entry):
    user: str
    project: str
    role: str


def _default_domains() -> list[Domain]:
    return [Domain(id=DEFAULT_DOMAIN_ID, name=DEFAULT_DOMAIN_NAME)]


def _default_roles() -> list[Role]:
    return [Role(id=standard_role_id(name), name=name) for name in STANDARD_ROLES]


class DirectoryConfig(_Entry):
    """The YAML document, as written by ``bootstrap`` or by hand."""

    domains: list[Domain] = Field(default_factory=_default_domains)
    roles: list[Role] = Field(default_factory=_default_roles)
    projects: list[Project] = Field(default_factory=list)
    users: list[User] = Field(default_factory=list)
    role_assignments: list[RoleAssignment] = Field(default_factory=list)

    @classmethod
    def from_yaml(cls, text: str) -> DirectoryConfig:
        try:
            return cls.model_validate(yaml.safe_load(text) or {})
        except (yaml.YAMLError, ValidationError) as exc:
            raise ValueError(f"invalid {SECRET_KEY}: {exc}") from None

    def to_yaml(self) -> str:
        data: dict[str, Any] = self.model_dump(mode="json")
        return yaml.safe_dump(data, sort_keys=False)


@dataclass
class Directory:
    """Indexed, validated view of a ``DirectoryConfig`` for lookups on every request."""

    config: DirectoryConfig
    _grants: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for assignment in self.config.role_assignments:
            user = self.find_user(assignment.user)
            project = self.find_project(assignment.project)
            if user is None or project is None or self.role_by_name(assignment.role) is None:
                raise ValueError(f"role assignment refers to unknown user/project/role: {assignment}")
            self._grants.setdefault((user.id, project.id), set()).add(assignment.role)

    # -- lookups -----------------------------------------------------------------------------
    def domain(self, *, domain_id: str | None = None, name: str | None = None) -> Domain | None:
        for domain in self.config.domains:
            if (domain_id is not None and domain.id == domain_id) or (
                name is not None and domain.name == name
            ):
                return domain
        return None

    def user_by_id(self, user_id: str) -> User | None:
        return next((u for u in self.config.users if u.id == user_id), None)

    def user_by_name(self, name: str, domain_id: str) -> User | None:
        return next((u for u in self.config.users if u.name == name and u.domain_id == domain_id), None)

    def find_user(self, id_or_name: str) -> User | None:
        return self.user_by_id(id_or_name) or next(
            (u for u in self.config.users if u.name == id_or_name), None
        )

    def project_by_id(self, project_id: str) -> Project | None:
        return next((p for p in self.config.projects if p.id == project_id), None)

    def project_by_name(self, name: str, domain_id: str) -> Project | None:
        return next((p for p in self.config.projects if p.name == name and p.domain_id == domain_id), None)

    def find_project(self, id_or_name: str) -> Project | None:
        return self.project_by_id(id_or_name) or next(
            (p for p in self.config.projects if p.name == id_or_name), None
        )

    def role_by_name(self, name: str) -> Role | None:
        return next((r for r in self.config.roles if r.name == name), None)

    def roles_for(self, user_id: str, project_id: str) -> list[Role]:
        """Effective roles (assigned plus implied), in a stable order; empty means no access."""
        assigned = self._grants.get((user_id, project_id), set())
        ordered = [n for n in STANDARD_ROLES if n in assigned] + sorted(assigned - set(STANDARD_ROLES))
        names: list[str] = []
        for name in ordered:
            for effective in (name, *IMPLIED_ROLES.get(name, ())):
                if effective not in names:
                    names.append(effective)
        return [role for n in names if (role := self.role_by_name(n)) is not None]

    def projects_of(self, user_id: str) -> list[Project]:
        ids = {project_id for (uid, project_id) in self._grants if uid == user_id}
        return [p for p in self.config.projects if p.id in ids]

    def namespace_for(self, project_id: str) -> str | None:
        """The Kubernetes namespace of a project's servers."""
        project = self.project_by_id(project_id)
        return project.namespace if project else None


def parse_directory(text: str) -> Directory:
    return Directory(DirectoryConfig.from_yaml(text))
