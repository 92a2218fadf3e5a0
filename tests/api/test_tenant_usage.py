"""``os-simple-tenant-usage`` rules (pure): hours clipped to the window, which servers count, the
totals, paging and the window's parsing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.datastructures import QueryParams

from kubenova.domain import server_records
from kubenova.resources import Server, ServerRecord
from kubenova_api import errors, pagination
from kubenova_api.compute import tenant_usage
from kubenova_api.views import tenant_usage as views
from tests.unit.operator import factories

NOW = datetime(2026, 1, 10, tzinfo=UTC)


def _at(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _live(uid: str, launched: datetime | None, *, namespace: str = "demo", vcpus: int = 2) -> Server:
    status: dict[str, object] = {
        "vmState": "active",
        "flavor": factories.embedded(name="m1.small", vcpus=vcpus, ram=2048, disk=10, ephemeral=5).to_api(),
    }
    if launched is not None:
        status["launchedAt"] = _stamp(launched)
    return factories.server(uid=uid, name=uid, namespace=namespace, status=status)


def _deleted(uid: str, launched: datetime, terminated: datetime) -> Server:
    body = server_records.record_of(_live(uid, launched), terminated_at=_stamp(terminated))
    return server_records.as_server(ServerRecord.model_validate(body))


def _window(start: datetime, stop: datetime, detailed: bool = True) -> tenant_usage.Window:
    return tenant_usage.Window(start, stop, detailed)


@pytest.mark.parametrize(
    ("launched", "terminated", "expected"),
    [
        (_at(2), None, 24.0),  # running all through the window
        (_at(3, 12), None, 12.0),  # launched inside it: from the launch
        (_at(2), _at(3, 6), 6.0),  # terminated inside it: to the termination
        (_at(3, 1), _at(3, 2), 1.0),
        (_at(1), _at(2), 0.0),  # terminated before it
        (_at(5), None, 0.0),  # launched after it
        (None, None, 0.0),  # never launched
    ],
)
def test_hours_are_clipped_to_the_window(
    launched: datetime | None, terminated: datetime | None, expected: float
) -> None:
    assert tenant_usage.hours_for(launched, terminated, _at(3), _at(4)) == pytest.approx(expected)


def test_totals_per_project_from_live_and_deleted_servers() -> None:
    servers = [
        (_live("b-live", _at(3, 12)), "p1"),
        (_deleted("a-gone", _at(2), _at(3, 6)), "p1"),
        (_live("c-other", _at(1), vcpus=4), "p2"),
        (_deleted("d-before", _at(1), _at(2)), "p1"),  # not active in the window
        (_live("e-unlaunched", None), "p1"),
    ]
    tenants, usages = tenant_usage.summarise(servers, _window(_at(3), _at(4)), now=NOW)
    assert [u.instance_id for u in usages] == ["a-gone", "b-live", "c-other"]  # (project, id)
    p1, p2 = tenants
    assert (p1.tenant_id, p2.tenant_id) == ("p1", "p2")
    assert p1.total_hours == pytest.approx(18.0)
    assert p1.total_vcpus_usage == pytest.approx(36.0)
    assert p1.total_memory_mb_usage == pytest.approx(18.0 * 2048)
    assert p1.total_local_gb_usage == pytest.approx(18.0 * 15)  # root + ephemeral
    assert p2.total_vcpus_usage == pytest.approx(96.0)
    gone = usages[0]
    assert (gone.state, gone.ended_at, gone.uptime) == ("terminated", _at(3, 6), 30 * 3600)
    assert (usages[1].state, usages[1].ended_at) == ("active", None)
    assert usages[1].uptime == int((NOW - _at(3, 12)).total_seconds())

    body = views.tenant_usage(p1, detailed=False)
    assert "server_usages" not in body
    assert body["start"] == "2026-01-03T00:00:00.000000"
    detailed = views.tenant_usage(p1, detailed=True)["server_usages"]
    assert detailed[0]["ended_at"] == "2026-01-03T06:00:00.000000"
    assert detailed[0]["flavor"] == "m1.small"
    assert detailed[0]["local_gb"] == 15


def test_paging_by_server_id() -> None:
    servers = [(_live(uid, _at(1)), "p1") for uid in ("s1", "s2", "s3")]
    span = _window(_at(3), _at(4))
    _, first = tenant_usage.summarise(servers, span, now=NOW, page=pagination.PageRequest(2, None))
    assert [u.instance_id for u in first] == ["s1", "s2"]
    _, rest = tenant_usage.summarise(servers, span, now=NOW, page=pagination.PageRequest(2, "s2"))
    assert [u.instance_id for u in rest] == ["s3"]
    with pytest.raises(errors.BadRequestError, match="Marker nope could not be found"):
        tenant_usage.summarise(servers, span, now=NOW, page=pagination.PageRequest(2, "nope"))


def test_the_window_of_a_request() -> None:
    span = tenant_usage.window(QueryParams("start=2026-01-03T00:00:00&end=2026-02-01T00:00:00.5"), now=NOW)
    assert (span.start, span.stop, span.detailed) == (_at(3), NOW, False)  # the end clipped to now
    assert tenant_usage.window(QueryParams("start=2026-01-03 00:00:00.000&detailed=1"), now=NOW).detailed
    with pytest.raises(errors.BadRequestError, match="start time cannot occur after the end time"):
        tenant_usage.window(QueryParams("start=2026-01-05T00:00:00&end=2026-01-04T00:00:00"), now=NOW)
    with pytest.raises(errors.BadRequestError, match="Invalid datetime string"):
        tenant_usage.window(QueryParams("start=yesterday"), now=NOW)
