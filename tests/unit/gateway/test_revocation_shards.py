"""Where a revocation is filed, and when its file may go (``store.revocations``; pure parts)."""

from __future__ import annotations

from kubenova_api.store import revocations
from kubenova_api.store.revocations import WINDOW_SECONDS, RevocationShard, shard_name, window_of


def test_a_revocation_is_filed_by_its_tokens_expiry() -> None:
    expires = 1_800_000_000.0
    name = shard_name("abc", expires)
    assert name.startswith(f"kubenova-token-revocations-{window_of(expires)}-")
    assert shard_name("abc", expires) == name  # stable across replicas
    assert shard_name("abc", expires + WINDOW_SECONDS) != name


def test_revocations_spread_over_the_shards_of_a_window() -> None:
    names = {shard_name(f"audit-{i}", 1_800_000_000.0) for i in range(200)}
    assert len(names) == revocations.SHARDS


def test_a_shard_is_over_only_once_every_token_it_names_has_expired() -> None:
    expires = 1_800_000_123.0
    shard = RevocationShard(shard_name("abc", expires), window_of(expires), frozenset({"abc"}))
    assert not shard.over(expires - 1)
    assert not shard.over(expires + 1)  # later tokens of the same window may still be valid
    assert shard.over((window_of(expires) + 1) * WINDOW_SECONDS + 1)


def test_a_configmap_that_is_not_a_shard_is_never_over() -> None:
    assert not RevocationShard("kubenova-quotas", None, frozenset()).over(1e12)


def test_parsing_reads_the_window_from_the_name() -> None:
    parsed = revocations._parse(
        {"metadata": {"name": "kubenova-token-revocations-2000000-3"}, "data": {"a": "1", "b": "2"}}
    )
    assert parsed.window == 2_000_000
    assert parsed.audit_ids == frozenset({"a", "b"})
