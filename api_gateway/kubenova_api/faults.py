"""Every error answer of the gateway is rendered here, in the shape each API family uses.

- compute (Nova): ``{"<faultName>": {"code": N, "message": "..."}}``, the name chosen by code;
- identity (Keystone), and 401s everywhere (keystonemiddleware's shape):
  ``{"error": {"code": N, "title": "...", "message": "..."}}``;
- network (Neutron): ``{"NeutronError": {"type": "...", "message": "...", "detail": ""}}``;
- image (Glance): webob-style plain text.

Domain errors (``kubenova_api.errors``) map to status codes in ``STATUS_BY_ERROR`` and nowhere
else; the shared rules' refusals (``kubenova.domain.errors``) are first turned into those by
``errors.from_domain``. FastAPI's 422 becomes Nova's 400 ``badRequest``; unexpected exceptions become a 500
``computeFault`` in ``kubenova_api.middleware`` without leaking a traceback.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, PlainTextResponse, Response

from kubenova.domain.errors import ComputeError
from kubenova_api import errors, urls
from kubenova_api.schemas.validation import describe_errors

STATUS_BY_ERROR: dict[type[errors.GatewayError], int] = {
    errors.BadRequestError: 400,
    errors.UnauthorizedError: 401,
    errors.ForbiddenError: 403,
    errors.NotFoundError: 404,
    errors.MethodNotAllowedError: 405,
    errors.ConflictError: 409,
    errors.PayloadTooLargeError: 413,
    errors.UnsupportedError: 501,
    errors.UnavailableError: 503,
}

NOVA_FAULT_NAMES: dict[int, str] = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}

_NEUTRON_TYPES: dict[int, str] = {
    400: "HTTPBadRequest",
    403: "HTTPForbidden",
    404: "HTTPNotFound",
    405: "HTTPMethodNotAllowed",
    409: "HTTPConflict",
    503: "HTTPServiceUnavailable",
}


def status_for(error: errors.GatewayError) -> int:
    """The HTTP status of a domain error (the most specific registered base class wins)."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def family_of(path: str) -> str:
    """Which API family a request path belongs to; decides the fault body's shape."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in (urls.IDENTITY, urls.IMAGE, urls.NETWORK) else urls.COMPUTE


def _title(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"


def nova_fault_body(code: int, message: str) -> dict[str, Any]:
    return {NOVA_FAULT_NAMES.get(code, "computeFault"): {"code": code, "message": message}}


def keystone_error_body(code: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "title": _title(code), "message": message}}


def fault_response(
    *,
    path: str,
    code: int,
    message: str,
    identity_url: str,
    kind: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error response for ``path``'s API family."""
    family = family_of(path)
    extra = dict(headers or {})
    if code == 401:
        # keystonemiddleware answers every 401 and tells the client where to authenticate.
        extra["WWW-Authenticate"] = f'Keystone uri="{identity_url}"'
        body = keystone_error_body(code, message)
        return JSONResponse(body, status_code=code, headers=extra)
    if family == urls.IDENTITY:
        return JSONResponse(keystone_error_body(code, message), status_code=code, headers=extra)
    if family == urls.NETWORK:
        neutron_type = f"{kind}NotFound" if code == 404 and kind else _NEUTRON_TYPES.get(code, "HTTPError")
        body = {"NeutronError": {"type": neutron_type, "message": message, "detail": ""}}
        return JSONResponse(body, status_code=code, headers=extra)
    if family == urls.IMAGE:
        text = f"{code} {_title(code)}\n\n{message}\n\n   "
        return PlainTextResponse(text, status_code=code, headers=extra)
    return JSONResponse(nova_fault_body(code, message), status_code=code, headers=extra)


def _identity_url(request: Request) -> str:
    public = getattr(request.state, "urls", None)
    return public.identity() if isinstance(public, urls.PublicUrls) else "/identity/v3"


async def _on_gateway_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.GatewayError)
    kind = exc.kind if isinstance(exc, errors.NotFoundError) else None
    return fault_response(
        path=request.url.path,
        code=status_for(exc),
        message=exc.message,
        identity_url=_identity_url(request),
        kind=kind,
    )


async def _on_compute_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ComputeError)
    return await _on_gateway_error(request, errors.from_domain(exc))


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return fault_response(
        path=request.url.path,
        code=400,
        message=describe_errors(exc.errors()),
        identity_url=_identity_url(request),
    )


_HTTP_MESSAGES: dict[int, str] = {
    404: "The resource could not be found.",
    405: "The method specified is not allowed for this resource.",
}


async def _on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = _HTTP_MESSAGES.get(exc.status_code) or str(exc.detail)
    return fault_response(
        path=request.url.path,
        code=exc.status_code,
        message=message,
        identity_url=_identity_url(request),
        headers=dict(exc.headers or {}),
    )


def install(app: FastAPI) -> None:
    """Route every handled error through this module (unhandled ones: see middleware)."""
    app.add_exception_handler(errors.GatewayError, _on_gateway_error)
    app.add_exception_handler(ComputeError, _on_compute_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
