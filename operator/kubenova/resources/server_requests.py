"""Requests a Server's spec carries besides those in ``server`` (kept apart so that module stays
readable): each is carried out once per ``requestId``."""

from __future__ import annotations

from pydantic import Field

from kubenova.resources.base import CamelModel


class AdminPasswordRequest(CamelModel):
    """changePassword: set the guest's admin password to what the Secret
    ``<status.vmName>-admin-password`` holds (key: the guest user, value: the password; the
    password is never in the spec). Write the Secret first, then a new requestId."""

    request_id: str = Field(
        min_length=1, description="Id of the request (e.g. req-<uuid>); unique per password change."
    )
