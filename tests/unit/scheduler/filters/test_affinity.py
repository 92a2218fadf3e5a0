"""same_host / different_host hints compare server uids with the servers already on a host."""

from __future__ import annotations

import pytest

from kubenova.scheduler.filters.affinity import DifferentHostFilter, SameHostFilter
from tests.unit.scheduler.factories import make_host, make_spec


@pytest.mark.parametrize(
    ("on_host", "hint", "passes"),
    [
        (set(), frozenset(), True),
        ({"a"}, frozenset(), True),
        ({"a"}, frozenset({"a"}), True),
        ({"a", "b"}, frozenset({"b", "zzz"}), True),
        ({"a"}, frozenset({"b"}), False),
        (set(), frozenset({"b"}), False),
    ],
)
def test_same_host_needs_one_of_the_hinted_servers_on_the_host(
    on_host: set[str], hint: frozenset[str], passes: bool
) -> None:
    host = make_host(instance_uids=on_host)
    assert SameHostFilter().host_passes(host, make_spec(same_host=hint)) is passes


@pytest.mark.parametrize(
    ("on_host", "hint", "passes"),
    [
        (set(), frozenset(), True),
        ({"a"}, frozenset(), True),
        ({"a"}, frozenset({"b"}), True),
        ({"a"}, frozenset({"a"}), False),
        ({"a", "b"}, frozenset({"b", "zzz"}), False),
    ],
)
def test_different_host_refuses_hosts_running_a_hinted_server(
    on_host: set[str], hint: frozenset[str], passes: bool
) -> None:
    host = make_host(instance_uids=on_host)
    assert DifferentHostFilter().host_passes(host, make_spec(different_host=hint)) is passes


def test_different_host_names_the_clashing_servers() -> None:
    reason = DifferentHostFilter().rejection(
        make_host(instance_uids={"b", "a"}), make_spec(different_host=frozenset({"a", "b", "c"}))
    )
    assert reason == "runs a, b from the different_host hint"


def test_a_server_placed_earlier_in_the_pass_counts_for_the_hint() -> None:
    host = make_host()
    host.consume(make_spec("first"))
    assert SameHostFilter().host_passes(host, make_spec("second", same_host=frozenset({"first"})))
    assert not DifferentHostFilter().host_passes(
        host, make_spec("third", different_host=frozenset({"first"}))
    )
