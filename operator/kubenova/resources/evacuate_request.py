"""The evacuate request a Server's spec carries (Nova's ``evacuate``): rebuild the server on
another host from its persistent disk, its own host being down. Carried out once per
``requestId``."""

from __future__ import annotations

from pydantic import Field

from kubenova.resources.base import CamelModel


class EvacuateRequest(CamelModel):
    """An evacuation asked of the operator (admin; the server's host down or forced down)."""

    request_id: str = Field(min_length=1, description="Id of the request (e.g. req-<uuid>); unique per move.")
    host: str | None = Field(default=None, description="Target host (a Node); empty: the scheduler chooses.")
    force: bool = Field(
        default=False, description="Nova's force (2.29-2.67): the asked host without the scheduler's filters."
    )
    stopped: bool = Field(
        default=False,
        description="The server ends stopped whatever its state was (Nova's 2.95 evacuate); "
        "else a stopped server stays stopped and any other runs again.",
    )
