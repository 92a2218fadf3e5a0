"""``paused_gc()``: no cyclic garbage collection while one large answer is built.

A 1,000-server list allocates some 40,000 containers (the items' dicts and lists) that live until
the body is encoded. With the collector on, they survive a few young collections, are promoted,
and every third or so list then triggers a *full* collection, which walks every object of the
watch caches (~30 per cached Server: 10,000 Servers are some 300,000 objects), tens of
milliseconds on an idle core and hundreds under load, in the middle of a request. Paused, the
request's objects are freed by reference counting when the answer is built, the collector never
sees them, and the caches are walked only when they themselves grow.

Only for handlers that do not await while paused (the pause then lasts one request's CPU work);
the previous state is restored, also on an exception.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
