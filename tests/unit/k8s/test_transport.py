"""The sync transport's own behaviour on real sockets (no API server): user agent, timeouts and
refused connections as ``Unavailable``, non-JSON error bodies, and watch streams (ERROR events,
truncation, ``close()`` from another thread). The API server's answers: tests/k8s/."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kubenova import k8s

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    handler: Handler
    headers_seen: list[dict[str, str]]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.headers_seen.append(dict(self.headers))
        self.server.handler(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], k8s.Transport]]:
    servers: list[_Server] = []

    def start(handler: Handler) -> k8s.Transport:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.handler, server.headers_seen = handler, []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return transport_for(f"http://127.0.0.1:{server.server_address[1]}")

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def transport_for(host: str, timeout: tuple[float, float] = (1.0, 1.0)) -> k8s.Transport:
    configuration = k8s.ApiClient().configuration
    configuration.host = host
    configuration.retries = False
    return k8s.Transport(k8s.ApiClient(configuration), user_agent="kubenova-test/1", timeout=timeout)


def reply(status: int, body: bytes, content_type: str = "application/json") -> Handler:
    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handle


def test_user_agent_header_is_sent(serve: Callable[[Handler], k8s.Transport]) -> None:
    seen: list[str] = []

    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        seen.append(request.headers.get("User-Agent", ""))
        reply(200, b"{}")(request)

    transport = serve(handle)
    assert transport.get(k8s.NODES, "n1") == {}
    assert seen == ["kubenova-test/1"]
    assert transport._api.user_agent != "kubenova-test/1"  # a shared ApiClient's defaults stay


def test_non_json_error_bodies_still_map(serve: Callable[[Handler], k8s.Transport]) -> None:
    transport = serve(reply(404, b"<html>no such page</html>", "text/html"))
    with pytest.raises(k8s.NotFound, match="no such page"):
        transport.get(k8s.NODES, "n1")


def test_a_refused_connection_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends: nothing listens there
    with pytest.raises(k8s.Unavailable) as refused:
        transport_for(f"http://127.0.0.1:{port}").get(k8s.NODES, "n1")
    assert "GET /api/v1/nodes/n1" in refused.value.message


def test_a_server_that_never_answers_times_out_as_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        started = time.monotonic()
        with pytest.raises(k8s.Unavailable) as timed_out:
            transport_for(f"http://127.0.0.1:{sock.getsockname()[1]}", timeout=(1.0, 0.5)).get(
                k8s.NODES, "n1"
            )
        assert time.monotonic() - started < 10
    assert "Timeout" in timed_out.value.reason


def _stream(lines: list[bytes], then: Callable[[], None] = lambda: None) -> Handler:
    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/json")
        request.send_header("Transfer-Encoding", "chunked")
        request.end_headers()
        for line in lines:
            request.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
            request.wfile.flush()
        then()
        request.wfile.write(b"0\r\n\r\n")

    return handle


def _event(kind: str, obj: dict[str, Any]) -> bytes:
    return json.dumps({"type": kind, "object": obj}).encode() + b"\n"


def test_watch_yields_events_and_raises_error_events(serve: Callable[[Handler], k8s.Transport]) -> None:
    expired = {"kind": "Status", "code": 410, "reason": "Expired", "message": "too old resource version"}
    node = {"metadata": {"name": "n1", "resourceVersion": "7"}}
    transport = serve(_stream([_event("ADDED", node), b"\n", _event("ERROR", expired)]))
    seen: list[str] = []

    def read() -> None:
        seen.extend(
            event["type"] for event in transport.watch(k8s.NODES, resource_version="5", timeout_seconds=1)
        )

    with pytest.raises(k8s.Gone, match="too old"):
        read()
    assert seen == ["ADDED"]


def test_a_truncated_watch_stream_is_unavailable(serve: Callable[[Handler], k8s.Transport]) -> None:
    transport = serve(_stream([b'{"type": "ADDED", "obj']))
    with pytest.raises(k8s.Unavailable, match="interrupted"):
        list(transport.watch(k8s.NODES, resource_version="5", timeout_seconds=1))


def test_close_ends_a_blocked_watch_from_another_thread(serve: Callable[[Handler], k8s.Transport]) -> None:
    release = threading.Event()
    transport = serve(_stream([_event("ADDED", {"metadata": {"name": "n1"}})], then=lambda: release.wait(30)))
    stream = transport.watch(k8s.NODES, resource_version="5", timeout_seconds=30)
    events: list[str] = []
    reader = threading.Thread(target=lambda: events.extend(e["type"] for e in stream), daemon=True)
    reader.start()
    deadline = time.monotonic() + 5
    while not events and time.monotonic() < deadline:
        time.sleep(0.01)
    stream.close()
    reader.join(timeout=5)
    release.set()
    assert not reader.is_alive(), "close() did not interrupt the blocked read"
    assert events == ["ADDED"]
    assert stream.closed
