"""``paused_gc`` pauses the cyclic collector for one block and restores what was there before."""

from __future__ import annotations

import gc

import pytest

from kubenova_api.gc_pause import paused_gc


def test_paused_inside_and_enabled_again_after() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_enabled_again_after_an_error() -> None:
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("refused")
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
