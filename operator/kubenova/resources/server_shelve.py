"""Shelve requests of a ``Server`` (Nova's ``shelve``, ``shelveOffload``, ``unshelve``) and what
the operator records of them (``status.shelve``).

``spec.shelved`` is declarative: ``true`` shelves the server (the VM is halted, its disks and
host kept), ``false`` unshelves a shelved one. ``spec.shelveOffload`` asks to release the host
of a SHELVED server; ``spec.unshelve`` carries the unshelve's request id and target host.
"""

from __future__ import annotations

from pydantic import Field

from kubenova.resources.base import CamelModel


class ShelveOffloadRequest(CamelModel):
    """A shelveOffload asked of the operator: release the host of a SHELVED server (the VM and its
    disks are kept); a new requestId asks again."""

    request_id: str = Field(min_length=1, description="Id of the request (e.g. req-<uuid>).")


class UnshelveRequest(CamelModel):
    """The latest unshelve request (with ``spec.shelved: false``): its id and where to.

    A new requestId asks again after an unshelve that found no host."""

    request_id: str = Field(min_length=1, description="Id of the request (e.g. req-<uuid>).")
    host: str | None = Field(
        default=None,
        min_length=1,
        max_length=253,
        description="Node a SHELVED_OFFLOADED server is scheduled to (Nova 2.91 host; the scheduler's "
        "filters still apply; admins only through the API). Used by the unshelve of this requestId only.",
    )


class ShelveRecord(CamelModel):
    """What the operator keeps of the server's shelving (Nova's shelved_* system metadata)."""

    shelved_at: str | None = Field(
        default=None, description="When the server was shelved (empty once unshelved)."
    )
    shelved_host: str | None = Field(default=None, description="The host the server was shelved on.")
    handled_offload: str | None = Field(
        default=None, description="requestId of the last spec.shelveOffload taken up."
    )
    handled_unshelve: str | None = Field(
        default=None, description="requestId of the last spec.unshelve taken up."
    )
    failed_unshelve: str | None = Field(
        default=None,
        description="requestId of the unshelve that found no host ('' without spec.unshelve): not "
        "tried again until spec.unshelve.requestId changes or the server is shelved again.",
    )
