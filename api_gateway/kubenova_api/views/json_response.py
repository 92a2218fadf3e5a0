"""``FastJSONResponse``: Starlette's ``JSONResponse`` with the body encoded by pydantic-core's Rust
serializer, for large bodies (a 1,000-server list is ~2 MB of JSON: the stdlib encoder spends
~50 ms on it, this one ~10 ms).

The bytes are the same as ``JSONResponse``'s (``json.dumps(..., ensure_ascii=False,
separators=(",", ":"))`` in UTF-8) for what the views build: dicts with string keys in insertion
order, lists and tuples, strings (str enums by value; non-ASCII as UTF-8; control characters as
``\\n`` or ``\\u00XX``), ints of any size, booleans and None. Not for floats: their shortest form
differs in exponents (``1e16`` against ``1e+16``) and NaN/Infinity become ``null``, where
``JSONResponse`` refuses them. ``tests/unit/gateway/test_json_response.py`` holds it to that.
"""

from __future__ import annotations

from typing import Any

import pydantic_core
from starlette.responses import JSONResponse, Response


class FastJSONResponse(JSONResponse):
    """A JSON body without floats, byte-identical to ``JSONResponse``'s, encoded ~5x faster."""

    def render(self, content: Any) -> bytes:
        return pydantic_core.to_json(content)


class EncodedJSONResponse(Response):
    """A body already encoded as JSON (``views.server_list_json``), with ``JSONResponse``'s headers."""

    media_type = "application/json"
