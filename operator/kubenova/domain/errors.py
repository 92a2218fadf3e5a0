"""Nova's refusals as exceptions, free of any transport: the gateway turns them into Nova fault
bodies (409 conflictingRequest), the operator into a failed instance action."""

from __future__ import annotations


class ComputeError(Exception):
    """A Nova rule refused something; ``str()`` is Nova's message."""


class InstanceInvalidState(ComputeError):  # noqa: N818 - Nova's own name for the condition
    """Nova's ``InstanceInvalidState``: the action is not allowed in the server's current state."""

    def __init__(self, *, method: str, server_id: str, attribute: str, value: object) -> None:
        super().__init__(f"Cannot '{method}' instance {server_id} while it is in {attribute} {value}")
        self.method, self.attribute, self.value = method, attribute, value


class InstanceLocked(ComputeError):  # noqa: N818 - Nova's own name for the condition
    """Nova's ``InstanceIsLocked``."""

    def __init__(self, server_id: str) -> None:
        super().__init__(f"Instance {server_id} is locked")


class InvalidKey(ComputeError, ValueError):  # noqa: N818 - reads as the condition it reports
    """A keypair's public key (or certificate) cannot be parsed; ``str()`` says why."""
