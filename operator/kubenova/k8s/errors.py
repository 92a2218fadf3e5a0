"""API server answers and transport failures as a few typed exceptions (the one mapping).

Callers write ``except k8s.NotFound`` instead of comparing status codes. The tree:

    KubeError            any refusal; ``status`` (HTTP code), ``reason`` (Status reason), ``message``
    ├── NotFound         404
    ├── Conflict         409: a precondition (resourceVersion, uid) failed
    │   └── AlreadyExists    409 AlreadyExists on create
    ├── Invalid          400 / 422: the body failed validation (or a JSON patch ``test`` failed)
    ├── Forbidden        403: RBAC (or admission, e.g. a namespace being terminated) refused it
    ├── Gone             410: a watch's resourceVersion is too old (list again)
    └── Unavailable      429 / 503 / 504, and transport failures: connection refused or reset,
                         timeouts, a truncated stream. Like a 5xx, the request may or may not have
                         taken effect; transport failures carry status 503 for that reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

JsonObject = dict[str, Any]

TRANSPORT_STATUS = 503
"""The status a transport failure carries: "may have happened, try again", as a 503 would say."""


class KubeError(Exception):
    """The API server refused a request; ``status`` is the HTTP code, ``reason`` the Status reason."""

    def __init__(self, status: int, reason: str, message: str, body: JsonObject | None = None) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status = status
        self.reason = reason
        self.message = message
        self.body = body


class NotFound(KubeError):  # noqa: N818 - reads as the API's own vocabulary: except k8s.NotFound
    """404: the object (or its kind) does not exist."""


class Conflict(KubeError):  # noqa: N818
    """409: a precondition (resourceVersion, uid) failed, or the object already exists."""


class AlreadyExists(Conflict):
    """409 AlreadyExists on create: an object with that name exists."""


class Invalid(KubeError):  # noqa: N818
    """422 (or 400): the body failed validation."""


class Forbidden(KubeError):  # noqa: N818
    """403: RBAC refused the request."""


class Gone(KubeError):  # noqa: N818
    """410: the requested resourceVersion is no longer in the server's history."""


class Unavailable(KubeError):  # noqa: N818
    """The API server could not be reached or asked to come back later (429, 503, 504, transport)."""


_BY_STATUS: dict[int, type[KubeError]] = {
    400: Invalid,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    410: Gone,
    422: Invalid,
    429: Unavailable,
    503: Unavailable,
    504: Unavailable,
}
_DEFAULT_REASON: dict[type[KubeError], str] = {
    NotFound: "NotFound",
    Conflict: "Conflict",
    Invalid: "Invalid",
    Forbidden: "Forbidden",
    Gone: "Expired",
    Unavailable: "ServiceUnavailable",
}


def from_status(status: int, body: Mapping[str, Any] | None, fallback_message: str = "") -> KubeError:
    """The typed error for an HTTP ``status`` and its (parsed) ``Status`` body."""
    body = dict(body or {})
    reason = str(body.get("reason") or "")
    message = str(body.get("message") or fallback_message)
    cls = _BY_STATUS.get(status, KubeError)
    if cls is Conflict and reason == "AlreadyExists":
        cls = AlreadyExists
    return cls(status, reason or _DEFAULT_REASON.get(cls, "Error"), message, body or None)


def from_response(status: int, data: bytes) -> KubeError:
    """The typed error for a non-2xx answer whose raw body is ``data`` (JSON or anything else)."""
    try:
        parsed: Any = json.loads(data or b"{}")
    except ValueError:
        parsed = None
    body = parsed if isinstance(parsed, dict) else None
    return from_status(status, body, data[:500].decode("utf-8", "replace"))


def from_status_object(status: Mapping[str, Any]) -> KubeError:
    """The typed error for a ``Status`` object, as a watch ERROR event carries it."""
    code = status.get("code")
    return from_status(int(code) if isinstance(code, int) and code else 500, status)


def from_transport(exc: BaseException, what: str = "") -> Unavailable:
    """A transport failure (urllib3/socket error, timeout, truncated body) as ``Unavailable``."""
    detail = f"{what}: " if what else ""
    return Unavailable(TRANSPORT_STATUS, type(exc).__name__, f"{detail}{exc}")
