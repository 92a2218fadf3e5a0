"""Pure: Server status changes, and what a VM/VMI observation means for a Server.

- ``transitions``: ``Transition`` + ``render`` turn any change of Nova state into one JSON merge
  patch of ``status`` (status from the state table, ``updatedAt``, action record).
- ``observation``: ``observe`` maps the current VirtualMachine/VMI to the transition it implies.

Both are free of I/O so every rule is a unit test; handlers only fetch, call and patch.
"""

from kubenova.status.observation import (
    Observation,
    address_fields,
    desired_run_strategy,
    is_halted,
    observe,
)
from kubenova.status.transitions import ActionFinish, ActionStart, Fault, Transition, render

__all__ = [
    "ActionFinish",
    "ActionStart",
    "Fault",
    "Observation",
    "Transition",
    "address_fields",
    "desired_run_strategy",
    "is_halted",
    "observe",
    "render",
]
