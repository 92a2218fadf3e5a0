"""Deterministic, DNS-safe ``metadata.name``s for objects the gateway creates.

Nova identifiers (flavor ids, keypair names) allow characters Kubernetes names do not, so a
name is the identifier itself when it is already a valid DNS subdomain, else a readable slug
plus a hash of the identifier. The same input always gives the same name, which makes
concurrent duplicate creates collide at the API server (409) instead of racing.
"""

from __future__ import annotations

import hashlib
import re

_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")
MAX_NAME = 253


def is_dns_subdomain(value: str) -> bool:
    return len(value) <= MAX_NAME and bool(_DNS_SUBDOMAIN.match(value))


def digest(*parts: str, length: int = 12) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:length]


def slug(value: str, *, max_length: int = 40) -> str:
    """Lowercase alphanumerics and dashes only, trimmed; may be empty."""
    return _SLUG_UNSAFE.sub("-", value.lower()).strip("-")[:max_length].strip("-")


def object_name(prefix: str, *parts: str) -> str:
    """``<prefix>-<slug of the last part>-<hash of all parts>``, DNS-safe and deterministic."""
    readable = slug(parts[-1]) if parts else ""
    middle = f"{readable}-" if readable else ""
    return f"{prefix}-{middle}{digest(*parts)}"
