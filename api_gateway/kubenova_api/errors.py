"""Domain errors raised anywhere in the gateway; ``faults`` turns each into an HTTP answer.

Raising code says *what went wrong* (not found, conflict, ...) and carries the message a
client should read; the status code and body shape are decided in one table in ``faults``.
Nova's refusals raised by the shared rules (``kubenova.domain.errors``) become gateway errors in
one place, ``from_domain``.
"""

from __future__ import annotations

from kubenova.domain import errors as domain


class GatewayError(Exception):
    """Base of every error that becomes a well-formed fault. ``message`` is shown to clients."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequestError(GatewayError):
    """The request is malformed or refers to something unusable (400)."""


class UnauthorizedError(GatewayError):
    """No valid token, or bad credentials (401)."""

    def __init__(self, message: str = "The request you have made requires authentication.") -> None:
        super().__init__(message)


class ForbiddenError(GatewayError):
    """The caller may not do this (403)."""


class PolicyNotAuthorizedError(ForbiddenError):
    """A policy rule refused the action (403), worded as Nova words it."""

    def __init__(self, action: str) -> None:
        super().__init__(f"Policy doesn't allow {action} to be performed.")
        self.action = action


class QuotaExceededError(ForbiddenError):
    """A create would exceed a quota; Nova answers 403 for these."""


class NotFoundError(GatewayError):
    """The resource does not exist or is not visible to the caller (404)."""

    def __init__(self, message: str = "The resource could not be found.", *, kind: str | None = None) -> None:
        super().__init__(message)
        # Neutron names the missing kind in its error type (NetworkNotFound, ...).
        self.kind = kind


class MethodNotAllowedError(GatewayError):
    """The route exists but not with this method (405)."""


class ConflictError(GatewayError):
    """The request conflicts with the current state (409)."""


class AlreadyExistsError(ConflictError):
    """A resource with that name or id already exists (409)."""


class PayloadTooLargeError(GatewayError):
    """The request body is too large (413)."""


class UnsupportedError(GatewayError):
    """kubenova does not provide this (501)."""


class UnavailableError(GatewayError):
    """A dependency (the Kubernetes API, a cache still filling) is unavailable (503)."""


INVALID_KEY = "Keypair data is invalid: failed to generate fingerprint"


def from_domain(error: domain.ComputeError) -> GatewayError:
    """The gateway error a refusal of the Nova rules is answered with (Nova's fault for it)."""
    if isinstance(error, domain.InstanceInvalidState | domain.InstanceLocked):
        return ConflictError(str(error))  # 409 conflictingRequest
    if isinstance(error, domain.InvalidKey):
        return BadRequestError(INVALID_KEY)
    return BadRequestError(str(error))
