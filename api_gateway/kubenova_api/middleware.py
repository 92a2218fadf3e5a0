"""The outermost layer of every request: request ids, public URLs, microversions, last-resort 500s.

Pure ASGI (not ``BaseHTTPMiddleware``) so it sees every response, including those of exception
handlers, and can stamp headers on them. Per request it:

1. allocates ``req-<uuid>`` (``request.state.request_id``; handlers record it on CRs) and adds it
   as ``X-OpenStack-Request-Id`` and ``X-Compute-Request-Id`` to the response;
2. records the client-facing base URL (``request.state.urls``; ``urls.base_url_from_headers``);
3. for compute paths under ``/compute/v2.1``: drops an optional ``{project_id}`` segment,
   negotiates the microversion (``request.state.api_version``; 400/406 answered here) and
   echoes ``OpenStack-API-Version``/``X-OpenStack-Nova-API-Version``/``Vary``;
4. refuses a body over ``MAX_BODY_BYTES`` with 413 before anything reads it: at once when
   ``Content-Length`` says so, else as soon as the streamed body passes the limit (nothing is
   buffered beyond it, and no authentication runs first);
5. turns any unhandled exception into a 500 fault, logging the traceback server-side only.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kubenova_api import faults, microversions, urls

log = logging.getLogger(__name__)

COMPUTE_V21 = f"/{urls.COMPUTE}/{urls.COMPUTE_VERSION}"
# Nova accepts /v2.1/{project_id}/...; project ids are 32 hex digits or dashed UUIDs.
_PROJECT_SEGMENT = re.compile(
    r"^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


MAX_BODY_BYTES = 114688
"""Nova's ``osapi_max_request_body_size`` (112 KiB), for every path of the gateway."""
TOO_LARGE = "Request is too large."


class _BodyTooLargeError(Exception):
    """The streamed body passed ``MAX_BODY_BYTES``."""


def _declared_length(headers: dict[str, str]) -> int | None:
    raw = headers.get("content-length")
    if raw is None:
        return None
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) <= 18 else MAX_BODY_BYTES + 1


def _bounded(receive: Receive) -> Receive:
    """``receive`` that stops the request once its body passes ``MAX_BODY_BYTES``."""
    seen = 0

    async def bounded_receive() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:
                raise _BodyTooLargeError
        return message

    return bounded_receive


def _refusal(
    path: str, headers: dict[str, str], state: dict[str, Any], extra: dict[str, str]
) -> tuple[int, str] | None:
    """What is wrong with the request before any route sees it (code, message): its microversion
    (negotiated into ``state``, echoed in ``extra``), or a declared body over the limit."""
    if is_versioned_compute(path):
        extra["Vary"] = microversions.VARY
        try:
            version = microversions.negotiate(headers)
        except microversions.InvalidVersionStringError as exc:
            return 400, str(exc)
        except microversions.VersionNotSupportedError as exc:
            return 406, str(exc)
        state["api_version"] = version
        extra.update(microversions.response_headers(version))
    declared = _declared_length(headers)
    if declared is not None and declared > MAX_BODY_BYTES:
        return 413, TOO_LARGE
    return None


def new_request_id() -> str:
    return f"req-{uuid.uuid4()}"


def _strip_project_segment(path: str) -> tuple[str, str | None]:
    """``/compute/v2.1/<project>/servers`` → (``/compute/v2.1/servers``, project)."""
    if not path.startswith(COMPUTE_V21 + "/"):
        return path, None
    rest = path[len(COMPUTE_V21) + 1 :]
    first, _, tail = rest.partition("/")
    if _PROJECT_SEGMENT.match(first):
        return f"{COMPUTE_V21}/{tail}".rstrip("/") if tail else COMPUTE_V21 + "/", first
    return path, None


def is_versioned_compute(path: str) -> bool:
    return path == COMPUTE_V21 or path.startswith(COMPUTE_V21 + "/")


class GatewayMiddleware:
    """See the module docstring; ``public_url`` pins the base URL when configured."""

    def __init__(
        self, app: ASGIApp, *, public_url: str | None = None, trust_proxy_headers: bool = False
    ) -> None:
        self.app = app
        self.public_url = public_url
        self.trust_proxy_headers = trust_proxy_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        server = scope.get("server") or ("localhost", 80)
        public = urls.PublicUrls(
            urls.base_url_from_headers(
                headers,
                scheme=scope.get("scheme", "http"),
                server=f"{server[0]}:{server[1]}",
                public_url=self.public_url,
                trust_proxy_headers=self.trust_proxy_headers,
            )
        )
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["urls"] = public
        extra = {"X-OpenStack-Request-Id": request_id, "X-Compute-Request-Id": request_id}

        path, project_in_path = _strip_project_segment(scope["path"])
        if project_in_path is not None:
            scope["path"] = path
            scope["raw_path"] = path.encode("latin-1")
            state["project_in_path"] = project_in_path
        refusal = _refusal(path, headers, state, extra)
        if refusal is not None:
            await self._fault(scope, send, *refusal, public, headers=extra)
            return

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                raw = list(message.get("headers", []))
                present = {k.lower() for k, _ in raw}
                for name, value in extra.items():
                    if name.lower().encode("latin-1") not in present:
                        raw.append((name.encode("latin-1"), value.encode("latin-1")))
                message["headers"] = raw
            await send(message)

        try:
            await self.app(scope, _bounded(receive), send_with_headers)
        except _BodyTooLargeError:
            if started:
                raise
            await self._fault(scope, send, 413, TOO_LARGE, public, headers=extra)
        except Exception:
            log.exception(
                "unexpected error serving %s %s (%s)", scope.get("method"), scope["path"], request_id
            )
            if started:
                raise
            message = "Unexpected API Error. Please report this to your cloud operator with the request id."
            await self._fault(scope, send, 500, message, public, headers=extra)

    @staticmethod
    async def _fault(
        scope: Scope, send: Send, code: int, message: str, public: urls.PublicUrls, *, headers: dict[str, str]
    ) -> None:
        response = faults.fault_response(
            path=scope["path"], code=code, message=message, identity_url=public.identity(), headers=headers
        )

        async def no_body() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, no_body, send)
