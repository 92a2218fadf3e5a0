"""CRD YAML generated from the resource models, so the API server validates what the code expects.

``python -m kubenova.crdgen crds/`` writes ``crds/compute.kubenova.io_<plural>.yaml``; with
``--check`` it only compares. Modules: ``schema`` (pydantic JSON Schema -> structural schema),
``crd`` (one CRD object per kind), ``render`` (stable YAML), ``generate`` (write / diff).
"""

from kubenova.crdgen.crd import crd_for, object_schema
from kubenova.crdgen.generate import diff, render_all, write
from kubenova.crdgen.schema import UnsupportedSchemaError, structural

__all__ = ["UnsupportedSchemaError", "crd_for", "diff", "object_schema", "render_all", "structural", "write"]
