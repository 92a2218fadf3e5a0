"""The bench's workload phases, through the public Nova API only (``NovaClient``), each returning
its figures as a JSON-ready dict. ACTIVE and gone are seen by the ``ServerWatch`` (see its docstring
for why a watch, not polling).

"In flight" means servers between their ``POST /servers`` and ACTIVE (or their ``DELETE`` and gone):
``in_flight`` workers each create one server and wait for it to be ACTIVE before the next, as
``openstack server create --wait`` in that many shells would. The sustained phase is open-loop
instead: creates are sent at a fixed rate whatever happens to the earlier ones.

A server that is not ACTIVE (or gone) within ``timeout`` seconds is counted, not waited for; the
phase's figures then cover the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tests.bench.bench_stats import rate, summary, windows
from tests.bench.nova_client import NovaClient, Timed
from tests.bench.server_watch import ServerWatch


@dataclass
class Workload:
    nova: NovaClient
    watch: ServerWatch
    image_id: str
    flavor: str
    timeout: float = 300.0
    _serial: int = 0
    posts: list[Timed] = field(default_factory=list)

    def _name(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}-{self._serial}"

    async def _seen(self, table: dict[str, float], server_id: str, since: float) -> float | None:
        """When the watch saw ``server_id`` in ``table`` (ACTIVE or gone); None after the timeout,
        or at once when waiting for ACTIVE on a server the watch saw go to ERROR."""
        errors, active = self.watch.errors, self.watch.active
        return await self.watch.when(
            table,
            server_id,
            since=since,
            timeout=self.timeout,
            failed=lambda: table is active and server_id in errors,
        )

    async def _create(self, prefix: str) -> tuple[str, Timed]:
        server_id, timed = await self.nova.create_server(self._name(prefix), self.image_id, self.flavor)
        self.posts.append(timed)
        return server_id, timed

    async def _create_active(self, prefix: str) -> tuple[str, float, float | None]:
        server_id, timed = await self._create(prefix)
        active = await self._seen(self.watch.active, server_id, timed.sent)
        return server_id, timed.sent, active

    async def _bounded(self, count: int, in_flight: int, work: Callable[[int], Awaitable[Any]]) -> list[Any]:
        gate = asyncio.Semaphore(in_flight)

        async def one(index: int) -> Any:
            async with gate:
                return await work(index)

        return list(await asyncio.gather(*(one(i) for i in range(count))))

    def _figures(
        self, results: list[tuple[float, float | None]], first_posts: int, ids: list[str]
    ) -> dict[str, Any]:
        done = [(sent, end) for sent, end in results if end is not None]
        span = (max(e for _, e in done) - min(s for s, _ in results)) if done else 0.0
        with self.watch.lock:
            faults = [self.watch.errors[i] for i in ids if i in self.watch.errors]
        return {
            "servers": len(results),
            "latency": summary([end - sent for sent, end in done]),
            "errors": len(faults),
            "faults": sorted(set(faults))[:3],
            "not_done": len(results) - len(done) - len(faults),
            "seconds": round(span, 3),
            "per_second": rate(len(done), span),
            "post": summary([t.seconds for t in self.posts[first_posts:]]),
        }

    async def burst(self, count: int, in_flight: int) -> tuple[dict[str, Any], list[str]]:
        """``count`` servers, ``in_flight`` at a time: create → ACTIVE figures; the servers' ids."""
        first = len(self.posts)
        results = await self._bounded(count, in_flight, lambda _: self._create_active(f"burst{in_flight}"))
        ids = [r[0] for r in results]
        figures = self._figures([(sent, active) for _, sent, active in results], first, ids)
        figures["in_flight"] = in_flight
        return figures, ids

    async def delete(self, ids: list[str], in_flight: int) -> dict[str, Any]:
        """Delete ``ids``, ``in_flight`` at a time: delete → gone figures (``post`` is DELETE's time)."""
        times: list[Timed] = []

        async def one(index: int) -> tuple[float, float | None]:
            timed = await self.nova.delete_server(ids[index])
            times.append(timed)
            return timed.sent, await self._seen(self.watch.gone, ids[index], timed.sent)

        results = await self._bounded(len(ids), in_flight, one)
        figures = self._figures(results, len(self.posts), [])
        figures["delete"] = summary([t.seconds for t in times])
        del figures["post"]
        figures["in_flight"] = in_flight
        return figures

    async def sustained(self, per_second: float, seconds: float) -> tuple[dict[str, Any], list[str]]:
        """Open loop: one create every 1/``per_second`` s for ``seconds`` s; per-window ACTIVE rate and
        backlog until every server is ACTIVE (or timed out)."""
        total = max(1, round(per_second * seconds))
        start = time.monotonic()
        first = len(self.posts)

        async def one(index: int) -> tuple[str, float, float | None]:
            await asyncio.sleep(max(0.0, start + index / per_second - time.monotonic()))
            return await self._create_active("rate")

        results = await asyncio.gather(*(one(i) for i in range(total)))
        sent = [s for _, s, _ in results]
        done = [a for _, _, a in results if a is not None]
        end = max([*done, *sent])
        rows = windows(start, sent, done, end)
        issuing = [row for row in rows if row["from"] < seconds]
        growth = issuing[-1]["backlog"] - issuing[0]["backlog"] if issuing else 0
        ids = [r[0] for r in results]
        figures = self._figures([(s, a) for _, s, a in results], first, ids)
        figures |= {
            "rate": per_second,
            "duration": seconds,
            "sent_in": round(max(sent) - start, 3),
            "windows": rows,
            "backlog_growth": growth,
            "keeps_up": growth <= per_second and figures["not_done"] == figures["errors"] == 0,
        }
        return figures, ids

    async def fill(self, target: int, have: int, in_flight: int) -> tuple[dict[str, Any], list[str]]:
        """Create servers until ``target`` exist (``have`` already do), ``in_flight`` at a time."""
        first = len(self.posts)
        started = time.monotonic()
        results = await self._bounded(max(0, target - have), in_flight, lambda _: self._create_active("fill"))
        ids = [r[0] for r in results]
        figures = self._figures([(sent, active) for _, sent, active in results], first, ids)
        figures |= {"in_flight": in_flight, "wall_seconds": round(time.monotonic() - started, 1)}
        return figures, ids

    async def list_latency(self, limit: int, repeat: int) -> dict[str, Any]:
        """``GET /servers/detail?limit=`` ``repeat`` times, one after the other."""
        samples: list[float] = []
        items = 0
        for _ in range(repeat):
            items, timed = await self.nova.list_detail(limit)
            samples.append(timed.seconds)
        return {"limit": limit, "items": items, "latency": summary(samples)}
