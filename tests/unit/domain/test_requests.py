"""The request inbox: entries are appended, recorded ones dropped, and the size is bounded."""

from __future__ import annotations

from kubenova.domain import names, requests
from kubenova.resources.server import Server


def _server(inbox: str | None, actions: list[dict[str, str]] | None = None) -> Server:
    annotations = {names.REQUESTS_ANNOTATION: inbox} if inbox is not None else {}
    return Server.model_validate(
        {
            "metadata": {"name": "s", "namespace": "p", "annotations": annotations},
            "spec": {"flavor": "f", "image": "i"},
            "status": {"actions": actions or []},
        }
    )


def _request(n: int, action: str = "stop") -> requests.Request:
    return requests.Request(
        action=action, request_id=f"req-{n}", user_id="u", start_time="2026-01-01T00:00:00Z"
    )


def test_append_drops_what_the_log_already_holds() -> None:
    recorded = [{"action": "stop", "requestId": "req-1", "startTime": "2026-01-01T00:00:00Z"}]
    server = _server(requests.encode([_request(1), _request(2, "lock")]), recorded)
    assert [r.request_id for r in requests.unrecorded(server)] == ["req-2"]
    server = _server(requests.with_request(server, _request(3)), recorded)
    assert [r.request_id for r in requests.inbox(server)] == ["req-2", "req-3"]
    assert [r.request_id for r in requests.unrecorded(server)] == ["req-2", "req-3"]


def test_the_inbox_is_bounded() -> None:
    server = _server(None)
    for n in range(requests.LIMIT + 5):
        server = _server(requests.with_request(server, _request(n)))
    assert len(requests.inbox(server)) == requests.LIMIT
    assert requests.inbox(server)[-1].request_id == f"req-{requests.LIMIT + 4}"


def test_an_unreadable_inbox_is_empty() -> None:
    assert requests.inbox(_server("{not json")) == []
    assert requests.as_action(_request(7)).request_id == "req-7"
