"""How large a request body may be, checked before anything reads it (``middleware``) and again
where a body is parsed (``deps.json_body``).

Nova's ``osapi_max_request_body_size`` is 112 KiB; the limit holds for every path of the gateway
(identity included), before authentication. A body that declares more (``Content-Length``) is
refused at once; one streamed without a length is cut as soon as it passes the limit, so nothing
beyond it is ever buffered.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import Message, Receive

MAX_BODY_BYTES = 114688
"""Nova's ``osapi_max_request_body_size`` (112 KiB)."""
TOO_LARGE = "Request is too large."


class BodyTooLargeError(Exception):
    """The streamed body passed ``MAX_BODY_BYTES``."""


def declared_too_large(headers: Mapping[str, str]) -> bool:
    """Whether ``Content-Length`` announces more than the limit (an unreadable one counts as more)."""
    raw = headers.get("content-length")
    if raw is None:
        return False
    raw = raw.strip()
    return not (raw.isdigit() and len(raw) <= 18) or int(raw) > MAX_BODY_BYTES


def bounded(receive: Receive) -> Receive:
    """``receive`` that raises ``BodyTooLargeError`` once the body passes ``MAX_BODY_BYTES``."""
    seen = 0

    async def bounded_receive() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:
                raise BodyTooLargeError
        return message

    return bounded_receive
