"""``bootstrap``: create or update the identity Secret, the token key and project namespaces.

Idempotent: existing users, projects and ids are kept (so tokens and namespaces stay valid);
missing default entries are added; passwords are (re)set only when given. Defaults:

- project ``admin``: user ``admin`` (role admin);
- project ``demo``: ``demo-member`` (member), ``demo-reader`` (reader), ``demo-manager`` (manager);
- project ``alt``: ``alt-member`` (member).

Each project's servers live in the namespace of the same name.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from dataclasses import dataclass, field

from kubenova_api import errors
from kubenova_api.identity import passwords
from kubenova_api.identity.directory import (
    SECRET_KEY,
    Directory,
    DirectoryConfig,
    Project,
    RoleAssignment,
    User,
)
from kubenova_api.identity.tokens import KEYS_DATA_KEY, new_key
from kubenova_api.settings import Settings
from kubenova_api.store import Store

DEFAULT_PROJECTS = ("admin", "demo", "alt")
# (user, project, role)
DEFAULT_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin", "admin", "admin"),
    ("demo-member", "demo", "member"),
    ("demo-reader", "demo", "reader"),
    ("demo-manager", "demo", "manager"),
    ("alt-member", "alt", "member"),
)


@dataclass
class BootstrapResult:
    directory: Directory
    generated_passwords: dict[str, str] = field(default_factory=dict)
    created_namespaces: list[str] = field(default_factory=list)


def _new_id() -> str:
    return uuid.uuid4().hex


def _granted(config: DirectoryConfig, user: User, project: Project, role: str) -> bool:
    return any(
        a.role == role and a.user in (user.id, user.name) and a.project in (project.id, project.name)
        for a in config.role_assignments
    )


def plan(
    existing: DirectoryConfig | None,
    *,
    admin_password: str,
    user_passwords: dict[str, str],
    default_password: str | None,
    bcrypt_rounds: int,
) -> tuple[DirectoryConfig, dict[str, str]]:
    """The directory after bootstrap, plus passwords generated for new users without one."""
    config = existing.model_copy(deep=True) if existing else DirectoryConfig()
    generated: dict[str, str] = {}
    for name in DEFAULT_PROJECTS:
        if not any(p.name == name for p in config.projects):
            config.projects.append(Project(id=_new_id(), name=name, namespace=name))
    wanted = {"admin": admin_password, **user_passwords}
    for user_name, project_name, role in DEFAULT_USERS:
        project = next(p for p in config.projects if p.name == project_name)
        user = next((u for u in config.users if u.name == user_name), None)
        if user is None:
            user = User(id=_new_id(), name=user_name, default_project_id=project.id)
            config.users.append(user)
            if user_name not in wanted:
                wanted[user_name] = default_password or secrets.token_urlsafe(12)
                if default_password is None:
                    generated[user_name] = wanted[user_name]
        if not _granted(config, user, project, role):
            config.role_assignments.append(RoleAssignment(user=user_name, project=project_name, role=role))
    for user in config.users:
        if user.name in wanted:
            user.password_hash = passwords.hash_password(wanted[user.name], rounds=bcrypt_rounds)
    return config, generated


async def bootstrap(
    store: Store,
    settings: Settings,
    *,
    admin_password: str,
    user_passwords: dict[str, str] | None = None,
    default_password: str | None = None,
    bcrypt_rounds: int = passwords.DEFAULT_ROUNDS,
) -> BootstrapResult:
    """Write the identity Secret, make sure the token key exists, create project namespaces."""
    await store.namespaces.ensure(settings.identity_namespace)
    secret_store = store.secrets
    current = await secret_store.read(settings.identity_secret)
    existing_text = current.text(SECRET_KEY) if current else None
    existing = DirectoryConfig.from_yaml(existing_text) if existing_text else None
    config, generated = await asyncio.to_thread(
        plan,
        existing,
        admin_password=admin_password,
        user_passwords=user_passwords or {},
        default_password=default_password,
        bcrypt_rounds=bcrypt_rounds,
    )
    directory = Directory(config)  # validates assignments before anything is written
    data = {SECRET_KEY: config.to_yaml().encode()}
    if current is None:
        await secret_store.create(
            settings.identity_secret, data, labels={"app.kubernetes.io/part-of": "kubenova"}
        )
    else:
        await secret_store.replace_data(settings.identity_secret, data, current.resource_version)
    if await secret_store.read(settings.token_key_secret) is None:
        with contextlib.suppress(errors.AlreadyExistsError):
            await secret_store.create(settings.token_key_secret, {KEYS_DATA_KEY: new_key() + b"\n"})
    created = []
    for project in config.projects:
        if await store.namespaces.ensure(project.namespace, project_id=project.id, project_name=project.name):
            created.append(project.namespace)
    return BootstrapResult(directory, generated, created)
