"""The outermost layer of every request: request ids, public URLs, microversions, last-resort 500s.

Pure ASGI (not ``BaseHTTPMiddleware``) so it sees every response, including those of exception
handlers, and can stamp headers on them. Per request it:

1. allocates ``req-<uuid>`` (``request.state.request_id``; handlers record it on CRs) and adds it
   as ``X-OpenStack-Request-Id`` and ``X-Compute-Request-Id`` to the response;
2. records the client-facing base URL (``request.state.urls``; ``urls.base_url_from_headers``);
3. for compute paths under ``/compute/v2.1``: drops an optional ``{project_id}`` segment,
   negotiates the microversion (``request.state.api_version``; 400/406 answered here) and
   echoes ``OpenStack-API-Version``/``X-OpenStack-Nova-API-Version``/``Vary``;
   the legacy ``/compute/v2`` endpoint is served by the same routes (Nova's
   ``LegacyV2CompatibleWrapper``): the path is rewritten to v2.1, the microversion headers are
   ignored (2.1 behaviour, none echoed), links point back to ``/v2``, and body validation is
   relaxed (``schemas.validation.legacy_v2``: unknown properties are dropped, not refused);
4. refuses a body over ``body_limits.MAX_BODY_BYTES`` with 413 before anything reads it: at once
   when ``Content-Length`` says so, else as soon as the streamed body passes the limit (nothing is
   buffered beyond it, and no authentication runs first);
5. turns any unhandled exception into a 500 fault, logging the traceback server-side only.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kubenova_api import body_limits, faults, microversions, urls
from kubenova_api.schemas import validation

log = logging.getLogger(__name__)

COMPUTE_V21 = f"/{urls.COMPUTE}/{urls.COMPUTE_VERSION}"
COMPUTE_V2 = f"/{urls.COMPUTE}/{urls.COMPUTE_LEGACY_VERSION}"
# Nova accepts /v2.1/{project_id}/...; project ids are 32 hex digits or dashed UUIDs.
_PROJECT_SEGMENT = re.compile(
    r"^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


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


def legacy_v2_path(path: str) -> str | None:
    """``/compute/v2/...`` → ``/compute/v2.1/...``; None for any other path."""
    if path == COMPUTE_V2 or path.startswith(COMPUTE_V2 + "/"):
        return COMPUTE_V21 + path[len(COMPUTE_V2) :]
    return None


def _set_path(scope: Scope, path: str) -> None:
    scope["path"] = path
    scope["raw_path"] = path.encode("latin-1")


def is_versioned_compute(path: str) -> bool:
    return path == COMPUTE_V21 or path.startswith(COMPUTE_V21 + "/")


def _refusal(
    path: str, headers: dict[str, str], state: dict[str, Any], extra: dict[str, str], *, legacy: bool
) -> tuple[int, str] | None:
    """What is wrong with the request before any route sees it (code, message): its microversion
    (negotiated into ``state``, echoed in ``extra``; the legacy ``/v2`` is always 2.1), or a
    declared body over the limit."""
    if legacy:
        state["api_version"] = microversions.DEFAULT_VERSION
    elif is_versioned_compute(path):
        extra["Vary"] = microversions.VARY
        try:
            version = microversions.negotiate(headers)
        except microversions.InvalidVersionStringError as exc:
            return 400, str(exc)
        except microversions.VersionNotSupportedError as exc:
            return 406, str(exc)
        state["api_version"] = version
        extra.update(microversions.response_headers(version))
    if body_limits.declared_too_large(headers):
        return 413, body_limits.TOO_LARGE
    return None


class _HeaderStamp:
    """A ``send`` that adds ``extra`` headers (those the response lacks) to the response start."""

    def __init__(self, send: Send, extra: dict[str, str]) -> None:
        self.send = send
        self.extra = extra
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            raw = list(message.get("headers", []))
            present = {k.lower() for k, _ in raw}
            for name, value in self.extra.items():
                if name.lower().encode("latin-1") not in present:
                    raw.append((name.encode("latin-1"), value.encode("latin-1")))
            message["headers"] = raw
        await self.send(message)


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
        legacy_path = legacy_v2_path(scope["path"])
        public = self._public_urls(scope, headers, legacy=legacy_path is not None)
        state: dict[str, Any] = scope.setdefault("state", {})
        if legacy_path is not None:
            _set_path(scope, legacy_path)
            state["legacy_v2"] = True
        state["request_id"] = request_id
        state["urls"] = public
        extra = {"X-OpenStack-Request-Id": request_id, "X-Compute-Request-Id": request_id}

        path, project_in_path = _strip_project_segment(scope["path"])
        if project_in_path is not None:
            _set_path(scope, path)
            state["project_in_path"] = project_in_path
        refusal = _refusal(path, headers, state, extra, legacy=legacy_path is not None)
        if refusal is not None:
            await self._fault(scope, send, *refusal, public, headers=extra)
            return

        stamping = _HeaderStamp(send, extra)
        token = validation.legacy_v2.set(legacy_path is not None)
        try:
            await self.app(scope, body_limits.bounded(receive), stamping)
        except body_limits.BodyTooLargeError:
            if stamping.started:
                raise
            await self._fault(scope, send, 413, body_limits.TOO_LARGE, public, headers=extra)
        except Exception:
            log.exception(
                "unexpected error serving %s %s (%s)", scope.get("method"), scope["path"], request_id
            )
            if stamping.started:
                raise
            message = "Unexpected API Error. Please report this to your cloud operator with the request id."
            await self._fault(scope, send, 500, message, public, headers=extra)
        finally:
            validation.legacy_v2.reset(token)

    def _public_urls(self, scope: Scope, headers: dict[str, str], *, legacy: bool) -> urls.PublicUrls:
        server = scope.get("server") or ("localhost", 80)
        base = urls.base_url_from_headers(
            headers,
            scheme=scope.get("scheme", "http"),
            server=f"{server[0]}:{server[1]}",
            public_url=self.public_url,
            trust_proxy_headers=self.trust_proxy_headers,
        )
        return urls.PublicUrls(
            base, compute_version=urls.COMPUTE_LEGACY_VERSION if legacy else urls.COMPUTE_VERSION
        )

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
