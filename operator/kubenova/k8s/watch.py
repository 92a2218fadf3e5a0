"""Watch streams: the events of one watch request as dicts, closable from another thread.

The API server answers a watch with one JSON event per line (``ADDED``, ``MODIFIED``, ``DELETED``,
``BOOKMARK``, ``ERROR``). An ``ERROR`` event carries a Status and is raised as the typed error
(410 Gone: the resourceVersion is too old, list again); a broken or truncated stream raises
``Unavailable``; a stream closed with ``close()`` simply ends.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

from kubenova.k8s import errors
from kubenova.k8s.errors import JsonObject


class WatchStream:
    """Iterate once; ``close()`` (any thread) interrupts a blocking read and ends the iteration."""

    def __init__(self, opener: Callable[[], Any], path: str) -> None:
        self._opener = opener
        self._path = path
        self._lock = threading.Lock()
        self._response: Any = None
        self._closed = False

    def close(self) -> None:
        with self._lock:
            self._closed = True
            response = self._response
        if response is None:
            return
        raw = response.response
        try:
            shutdown = getattr(raw, "shutdown", None)  # urllib3 >= 2.3: unblocks a pending read
            if shutdown is not None:
                shutdown()
            raw.close()
        except (OSError, RuntimeError, ValueError):  # the stream ended (and was released) meanwhile
            pass

    @property
    def closed(self) -> bool:
        return self._closed

    def __iter__(self) -> Iterator[JsonObject]:
        with self._lock:
            if self._closed:
                return
        response = self._opener()
        with self._lock:
            self._response = response
            closed = self._closed
        raw = response.response
        try:
            if closed:
                return
            if not 200 <= response.status < 300:
                raise errors.from_response(response.status, raw.read() or b"")
            yield from self._events(raw)
        except errors.KubeError:
            if self._closed:
                return
            raise
        except Exception as exc:  # connection reset, read timeout, truncated JSON
            if self._closed:
                return
            raise errors.from_transport(exc, f"watch {self._path} interrupted") from exc
        finally:
            with self._lock:
                self._response = None
            raw.release_conn()

    @staticmethod
    def _events(raw: Any) -> Iterator[JsonObject]:
        buffer = b""
        for chunk in raw.stream(amt=None, decode_content=True):
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if not line.strip():
                    continue
                event: JsonObject = json.loads(line)
                if event.get("type") == "ERROR":
                    raise errors.from_status_object(event.get("object") or {})
                yield event
        if buffer.strip():
            raise ValueError("watch stream ended inside an event")
