"""``PUT /os-hosts/{host}`` body (Nova's ``schemas/hosts.py``, no wrapper object): ``status``
and/or ``maintenance_mode``, each one of Nova's six spellings of enable/disable."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, model_validator

from kubenova_api.schemas.parameter_types import SchemaError
from kubenova_api.schemas.validation import StrictBody

ENABLE_DISABLE = ["enable", "disable", "Enable", "Disable", "ENABLE", "DISABLE"]


def _enable_disable(value: Any) -> str:
    if not isinstance(value, str):
        raise SchemaError(f"{value!r} is not of type 'string'")
    if value not in ENABLE_DISABLE:
        raise SchemaError(f"{value!r} is not one of {ENABLE_DISABLE!r}")
    return value


EnableDisable = Annotated[str, BeforeValidator(_enable_disable)]


class HostUpdate(StrictBody):
    status: EnableDisable | None = None
    maintenance_mode: EnableDisable | None = None

    @model_validator(mode="after")
    def _one_of_them(self) -> HostUpdate:
        if not self.model_fields_set & {"status", "maintenance_mode"}:
            raise SchemaError(
                f"{self.model_dump(exclude_unset=True)!r} is not valid under any of the given schemas"
            )
        return self
