"""An Image created a moment before a rebuild or rescue names it is waited for on the view, within
the grace period, instead of refusing the request at once (``ClusterView.wait_for``)."""

from __future__ import annotations

import asyncio
import time

from kubenova.handlers import cluster_view
from kubenova.handlers.cluster_view import ClusterView
from tests.unit.operator import factories as f


def _view(indexes: dict[str, dict[str, list[object]]]) -> ClusterView:
    view = ClusterView()
    view.bind({cluster_view.IMAGES: {}, **indexes})
    return view


async def test_an_image_that_appears_within_the_grace_period_is_found() -> None:
    images: dict[str, list[object]] = {}
    view = _view({cluster_view.IMAGES: images})

    async def appears() -> None:
        await asyncio.sleep(0.05)
        images["rescue-img"] = [f.image("rescue-img")]
        view.touch()  # what the Image index does when the watch shows it

    started = time.monotonic()
    found, _ = await asyncio.gather(view.wait_for(lambda: view.image("rescue-img"), 60.0), appears())
    assert found is not None
    assert found.metadata.name == "rescue-img"
    assert time.monotonic() - started < 30.0  # woken by the change, long before the grace ends


async def test_an_image_that_never_appears_is_none_after_the_grace_period() -> None:
    view = _view({})
    started = time.monotonic()
    assert await view.wait_for(lambda: view.image("missing"), 0.2) is None
    assert time.monotonic() - started >= 0.2


async def test_an_image_already_there_is_returned_without_waiting() -> None:
    view = _view({cluster_view.IMAGES: {"cirros": [f.image("cirros")]}})
    assert await view.wait_for(lambda: view.image("cirros"), 0.0) is not None  # no grace needed
