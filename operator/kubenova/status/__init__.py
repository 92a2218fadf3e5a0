"""Pure: Server status changes, and what they follow from.

- ``state_change``: ``Transition`` + ``render`` turn any change of Nova state into one JSON merge
  patch of ``status`` (status from the state table, ``updatedAt``, action record).
- ``observation``: ``observe`` maps the current VirtualMachine/VMI to the transition it implies.
- ``operations``: the transitions Server operations start (build, power, reboot, delete).
- ``action_records``: which request an action record carries (the gateway's inbox, else new).

All free of I/O so every rule is a unit test; handlers only look up, call and patch.
"""

from kubenova.status.observation import (
    Observation,
    address_fields,
    desired_run_strategy,
    is_halted,
    observe,
)
from kubenova.status.state_change import ActionFinish, ActionStart, Fault, Transition, render

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
