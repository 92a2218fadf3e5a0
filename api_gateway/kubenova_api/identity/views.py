"""Keystone response bodies: version documents, tokens, projects, users."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kubenova_api.identity.catalog import catalog
from kubenova_api.identity.directory import Directory, Domain, Project, User
from kubenova_api.identity.service import Authenticated
from kubenova_api.urls import PublicUrls

V3_ID = "v3.14"
V3_UPDATED = "2020-04-07T00:00:00Z"
V3_MEDIA_TYPES = [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]


def keystone_time(epoch: float) -> str:
    """Keystone's timestamp form: microseconds and a literal Z."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def v3_entry(urls: PublicUrls) -> dict[str, Any]:
    return {
        "id": V3_ID,
        "status": "stable",
        "updated": V3_UPDATED,
        "links": [{"rel": "self", "href": urls.identity() + "/"}],
        "media-types": V3_MEDIA_TYPES,
    }


def version_document(urls: PublicUrls) -> dict[str, Any]:
    return {"version": v3_entry(urls)}


def versions_document(urls: PublicUrls) -> dict[str, Any]:
    return {"versions": {"values": [v3_entry(urls)]}}


def _domain_ref(directory: Directory, domain_id: str) -> dict[str, str]:
    domain = directory.domain(domain_id=domain_id)
    return {"id": domain_id, "name": domain.name if domain else domain_id}


def token_body(
    auth: Authenticated, directory: Directory, urls: PublicUrls, region: str, *, with_catalog: bool
) -> dict[str, Any]:
    data = auth.token
    token: dict[str, Any] = {
        "methods": list(data.methods),
        "user": {
            "id": auth.user.id,
            "name": auth.user.name,
            "domain": _domain_ref(directory, auth.user.domain_id),
            "password_expires_at": None,
        },
        "audit_ids": [data.audit_id, *data.audit_chain],
        "expires_at": keystone_time(data.expires_at),
        "issued_at": keystone_time(data.issued_at),
    }
    if auth.project is not None:
        token["project"] = {
            "id": auth.project.id,
            "name": auth.project.name,
            "domain": _domain_ref(directory, auth.project.domain_id),
        }
        token["is_domain"] = False
        token["roles"] = [{"id": role.id, "name": role.name} for role in auth.roles]
        if with_catalog:
            token["catalog"] = catalog(urls, region)
    return {"token": token}


def domain_body(domain: Domain, urls: PublicUrls) -> dict[str, Any]:
    return {
        "id": domain.id,
        "name": domain.name,
        "description": domain.description,
        "enabled": domain.enabled,
        "tags": [],
        "options": {},
        "links": {"self": urls.identity("domains", domain.id)},
    }


def project_body(project: Project, urls: PublicUrls) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "domain_id": project.domain_id,
        "description": project.description,
        "enabled": project.enabled,
        "is_domain": False,
        "parent_id": project.domain_id,
        "tags": [],
        "options": {},
        "links": {"self": urls.identity("projects", project.id)},
    }


def user_body(user: User, urls: PublicUrls) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": user.id,
        "name": user.name,
        "domain_id": user.domain_id,
        "enabled": user.enabled,
        "password_expires_at": None,
        "options": {},
        "links": {"self": urls.identity("users", user.id)},
    }
    if user.default_project_id:
        body["default_project_id"] = user.default_project_id
    if user.email:
        body["email"] = user.email
    return body


def collection(key: str, items: list[dict[str, Any]], self_url: str) -> dict[str, Any]:
    return {key: items, "links": {"self": self_url, "previous": None, "next": None}}
