"""Base classes shared by every kubenova custom resource model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

GROUP = "compute.kubenova.io"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
CATEGORY = "kubenova"

# JSON Schema extension read by crdgen: the API server reports a failed ``pattern`` by quoting the
# regex, so a field that carries this key (next to its ``pattern``) is checked by a CEL rule with
# this human message instead. Pydantic still enforces the pattern itself in Python.
PATTERN_MESSAGE = "x-kubenova-pattern-message"


def pattern_message(message: str) -> dict[str, Any]:
    """``json_schema_extra`` giving a field's ``pattern`` a human error message in the CRD."""
    return {PATTERN_MESSAGE: message}


class CamelModel(BaseModel):
    """A model whose JSON names are camelCase, as Kubernetes API fields are.

    Unknown fields are ignored on read so an older operator never chokes on a newer object.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    def to_api(self) -> dict[str, Any]:
        """The JSON body as the API server stores it: camelCase, unset fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


@dataclass(frozen=True)
class PrinterColumn:
    """One ``additionalPrinterColumns`` entry of the generated CRD."""

    name: str
    json_path: str
    type: Literal["string", "integer", "number", "boolean", "date"] = "string"
    description: str = ""
    priority: int = 0


@dataclass(frozen=True)
class CrdInfo:
    """Naming and presentation of a kind, declared next to its model."""

    kind: str
    plural: str
    scope: Literal["Namespaced", "Cluster"]
    short_names: tuple[str, ...] = ()
    printer_columns: tuple[PrinterColumn, ...] = ()
    categories: tuple[str, ...] = (CATEGORY,)
    description: str = ""

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def crd_name(self) -> str:
        return f"{self.plural}.{GROUP}"


class ObjectMeta(BaseModel):
    """The part of ``metadata`` kubenova reads; everything else is kept untouched."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    name: str = ""
    namespace: str | None = None
    uid: str | None = None
    resource_version: str | None = Field(default=None, alias="resourceVersion")
    generation: int | None = None
    creation_timestamp: str | None = Field(default=None, alias="creationTimestamp")
    deletion_timestamp: str | None = Field(default=None, alias="deletionTimestamp")
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    finalizers: list[str] = Field(default_factory=list)


class CustomResource(CamelModel):
    """A whole object of one of our kinds. Subclasses set ``crd`` and type ``spec``/``status``."""

    crd: ClassVar[CrdInfo]

    api_version: str = Field(default=API_VERSION, alias="apiVersion")
    kind: str = ""
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)

    @classmethod
    def body(cls, name: str, spec: BaseModel, namespace: str | None = None) -> dict[str, Any]:
        """A creatable body for ``name`` with ``spec``."""
        meta: dict[str, Any] = {"name": name}
        if namespace is not None:
            meta["namespace"] = namespace
        return {
            "apiVersion": API_VERSION,
            "kind": cls.crd.kind,
            "metadata": meta,
            "spec": spec.model_dump(by_alias=True, exclude_none=True, mode="json"),
        }
