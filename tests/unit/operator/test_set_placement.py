"""``PlacementLedger.place_set``: a multi-create's members decided together under the lock,
claimed before any is persisted, refused together (driven with the in-memory cluster view of
``test_placement``; the same on the real control plane: tests/integration/test_multi_create_placement.py)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from kubenova import k8s
from kubenova.domain import quotas
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_state import HostState, PlacedServer
from kubenova.scheduler.request_spec import RequestSpec
from tests.unit.operator.test_placement import Listing, make_placement, node
from tests.unit.scheduler.factories import make_spec


def _set(count: int, *, vcpus: int = 4) -> list[RequestSpec]:
    return [make_spec(f"m{i}", vcpus=vcpus, memory_mb=512, root_gb=1) for i in range(count)]


class Recorder:
    """persist/refuse callbacks that note what they were asked, and what was claimed meanwhile."""

    def __init__(self, ledger: object, listing: Listing) -> None:
        self.ledger, self.listing = ledger, listing
        self.persisted: dict[str, str] = {}
        self.claimed_at_first_write: set[str] | None = None
        self.refused: list[tuple[list[str], Exception]] = []
        self.failing: dict[str, k8s.KubeError] = {}

    async def persist(self, spec: RequestSpec, host: HostState) -> str | None:
        if self.claimed_at_first_write is None:
            usage = self.ledger.usage(self.listing.placements())  # type: ignore[attr-defined]
            self.claimed_at_first_write = {p.uid for p in usage}
        failure = self.failing.pop(spec.instance_uid, None)
        if failure is not None:
            raise failure
        self.persisted[spec.instance_uid] = host.name
        return host.name

    async def refuse(self, specs: Sequence[RequestSpec], error: Exception) -> bool:
        self.refused.append(([s.instance_uid for s in specs], error))
        return True


async def test_a_set_that_fits_is_claimed_whole_before_the_first_write_then_persisted() -> None:
    listing = Listing([node("n1", cpu="8"), node("n2", cpu="8")])
    ledger = make_placement(listing)
    calls = Recorder(ledger, listing)
    specs = _set(4)
    await ledger.place_set(lambda: specs, listing, calls.persist, calls.refuse)
    assert calls.claimed_at_first_write == {"m0", "m1", "m2", "m3"}
    assert sorted(calls.persisted.values()) == ["n1", "n1", "n2", "n2"]
    assert calls.refused == []


async def test_a_set_that_does_not_fit_whole_is_refused_whole_and_claims_nothing() -> None:
    listing = Listing([node("n1", cpu="8"), node("n2", cpu="8")])
    ledger = make_placement(listing)
    calls = Recorder(ledger, listing)
    await ledger.place_set(lambda: _set(5), listing, calls.persist, calls.refuse)
    assert calls.persisted == {}
    [(uids, error)] = calls.refused
    assert uids == ["m0", "m1", "m2", "m3", "m4"]
    assert isinstance(error, NoValidHost)
    assert error.message == "No valid host was found. There are not enough hosts available."
    assert ledger.usage(listing.placements()) == []


async def test_the_quota_recheck_counts_the_whole_set() -> None:
    listing = Listing([node("n1", cpu="64")])
    ledger = make_placement(listing)
    calls = Recorder(ledger, listing)
    listing.indexed = [PlacedServer("other", "n1", 1, 512, 1)]
    seen: list[tuple[list[str], list[str]]] = []

    def admit(placements: list[PlacedServer], specs: Sequence[RequestSpec]) -> None:
        seen.append(([p.uid for p in placements], [s.instance_uid for s in specs]))
        requested = quotas.Usage(len(specs), 0, 0)
        message = quotas.exceeded({"instances": 3}, quotas.Usage(len(placements), 0, 0), requested)
        if message is not None:
            raise quotas.QuotaExceeded(message)

    await ledger.place_set(lambda: _set(3, vcpus=1), listing, calls.persist, calls.refuse, admit)
    assert seen == [(["other"], ["m0", "m1", "m2"])]
    assert calls.persisted == {}
    [(uids, error)] = calls.refused
    assert uids == ["m0", "m1", "m2"]
    assert str(error) == "Quota exceeded for instances: Requested 3, but already used 1 of 3 instances"


async def test_a_refusal_the_caller_does_not_write_is_raised() -> None:
    listing = Listing([node("n1", cpu="4")])
    ledger = make_placement(listing)

    async def wait_instead(specs: Sequence[RequestSpec], error: Exception) -> bool:
        return False

    with pytest.raises(NoValidHost):
        await ledger.place_set(lambda: _set(2), listing, Recorder(ledger, listing).persist, wait_instead)


async def test_a_failed_write_keeps_its_claim_and_the_others_are_still_written() -> None:
    listing = Listing([node("n1", cpu="8"), node("n2", cpu="8")])
    ledger = make_placement(listing)
    calls = Recorder(ledger, listing)
    calls.failing["m1"] = k8s.KubeError(503, "ServiceUnavailable", "try later")
    specs = _set(4)
    with pytest.raises(k8s.KubeError):
        await ledger.place_set(lambda: specs, listing, calls.persist, calls.refuse)
    assert set(calls.persisted) == {"m0", "m2", "m3"}
    claimed = {p.uid: p.host for p in ledger.usage(listing.placements())}
    assert set(claimed) == {"m0", "m1", "m2", "m3"}
    # The retry (the member's own reconcile) writes the host it was given, deciding nothing again.
    listing.indexed = [PlacedServer(uid, host, 4, 512, 1) for uid, host in calls.persisted.items()]
    await ledger.place_set(lambda: [specs[1]], listing, calls.persist, calls.refuse)
    assert calls.persisted["m1"] == claimed["m1"]
    assert calls.refused == []


async def test_the_rest_of_a_set_is_placed_next_to_its_placed_members() -> None:
    """After a restart: two members persisted, two not; the two are decided as one request."""
    listing = Listing([node("n1", cpu="8"), node("n2", cpu="8")])
    listing.indexed = [PlacedServer("m0", "n1", 4, 512, 1), PlacedServer("m1", "n2", 4, 512, 1)]
    ledger = make_placement(listing)
    calls = Recorder(ledger, listing)
    await ledger.place_set(lambda: _set(4)[2:], listing, calls.persist, calls.refuse)
    assert sorted(calls.persisted.values()) == ["n1", "n2"]
    calls.persisted.clear()
    await ledger.place_set(lambda: [make_spec("m9", vcpus=4)], listing, calls.persist, calls.refuse)
    assert calls.persisted == {}
    assert isinstance(calls.refused[0][1], NoValidHost)
