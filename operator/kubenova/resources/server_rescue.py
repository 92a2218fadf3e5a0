"""``Server.spec.rescue``: Nova's rescue and unrescue as a declarative request.

``state: Rescued`` boots the server from a rescue image (``image``, else the server's own) with
its root disk attached as a second disk; ``state: Unrescued`` boots it from its own root disk
again. Each request carries its own ``requestId``: the operator carries a request out once
(``status.handledRescue``), so a failed rescue is not retried until a new request is written.
Removing ``spec.rescue`` asks for nothing (a rescued server stays rescued until ``Unrescued``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kubenova.resources.base import CamelModel

RESCUED = "Rescued"
UNRESCUED = "Unrescued"


class RescueRequest(CamelModel):
    """Rescue (``Rescued``) or unrescue (``Unrescued``) the server; a new requestId asks again."""

    state: Literal["Rescued", "Unrescued"] = Field(
        default="Rescued",
        description="Rescued: boot from the rescue image with the root disk attached second (Nova's "
        "rescue, from ACTIVE, SHUTOFF or ERROR). Unrescued: boot from the root disk again (unrescue).",
    )
    request_id: str = Field(
        min_length=1, description="Id of the request (e.g. req-<uuid>); unique per rescue or unrescue."
    )
    image: str | None = Field(
        default=None,
        min_length=1,
        max_length=253,
        description="Name of the Image object to boot the rescue from; empty: the server's own image.",
    )
