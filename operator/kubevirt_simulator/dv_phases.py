"""Pure (simulator of CDI): the next status of a DataVolume from what its PVC and source show.

CDI's way, in steps of ``phase_delay``: the PVC is created (Pending) and bound by the storage;
then an import (http, registry) goes ImportScheduled → ImportInProgress with ``progress`` from
"0.00%" up (``rate`` percent per second since the Running condition turned True, written at
most every ``PROGRESS_WRITE_INTERVAL`` seconds) → Succeeded "100.0%"; a clone (pvc source)
CloneScheduled → CloneInProgress → Succeeded, waiting (Pending, Running=False CloneWithoutSource)
while the source PVC is missing or unbound; a blank disk ImportScheduled → Succeeded. An import
from a host under ``.invalid`` (RFC 2606) fails as CDI's importer does on an unreachable source:
the phase stays ImportInProgress with Running=False, reason Error, and ``restartCount`` grows with
each retry of the importer pod; a clone from a PVC annotated ``kubevirt-simulator.kubenova.io/clone=fail``
fails the same way in CloneInProgress. Conditions are CDI's Bound, Ready and Running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from kubenova.kubevirt import cdi_models as cdi
from kubenova.kubevirt.cdi_models import DataVolumePhase as Phase
from kubevirt_simulator.names import UNREACHABLE_SUFFIX

RETRY_SECONDS = 5.0
"""How often the simulated importer pod of an unreachable source is restarted."""
PROGRESS_WRITE_INTERVAL = 1.0
"""Seconds between two progress updates of a running import or clone."""


@dataclass(frozen=True)
class Facts:
    """What the simulated CDI sees next to the DataVolume."""

    pvc_phase: str | None
    """Phase of the DataVolume's PVC (None: no PVC yet)."""
    source_ready: bool = True
    """For a clone: the source PVC exists and is bound."""
    source_fails: bool = False
    """For a clone: the source PVC carries the clone failure knob."""


@dataclass(frozen=True)
class Step:
    status: dict[str, Any] | None
    """The DataVolume status fields the simulated CDI owns (conditions without times); None:
    nothing to write yet."""
    again: float | None
    """Look again after this many seconds (None: wait for an event)."""


def unreachable(url: str | None) -> str | None:
    """The error CDI's importer reports for ``url`` when its host cannot be reached, else None."""
    if not url:
        return None
    target = url.split("://", 1)[-1] if url.startswith("docker://") else url
    host = urlsplit(target if "://" in target else f"//{target}").hostname or ""
    if host.endswith(UNREACHABLE_SUFFIX) or host == UNREACHABLE_SUFFIX[1:]:
        return f"Unable to connect to data source: dial tcp: lookup {host}: no such host"
    return None


def source_url(source: cdi.DataVolumeSource) -> str | None:
    if source.http is not None:
        return source.http.url
    if source.registry is not None:
        return source.registry.url
    return None


def _conditions(
    *, bound: bool, ready: bool, running: bool, reason: str = "", message: str = ""
) -> list[dict[str, Any]]:
    def one(kind: str, state: bool, why: str = "", text: str = "") -> dict[str, Any]:
        entry: dict[str, Any] = {"type": kind, "status": "True" if state else "False"}
        if why:
            entry["reason"] = why
        if text:
            entry["message"] = text
        return entry

    return [
        one(cdi.BOUND, bound, "Bound" if bound else "Pending", "PVC Bound" if bound else "PVC Pending"),
        one(cdi.READY, ready),
        one(cdi.RUNNING, running, reason, message),
    ]


def _status(phase: Phase, progress: str, *, restarts: int, **conditions: Any) -> dict[str, Any]:
    return {
        "phase": phase.value,
        "progress": progress,
        "restartCount": restarts,
        "conditions": _conditions(**conditions),
    }


def next_step(dv: cdi.DataVolume, facts: Facts, *, delay: float, rate: float, now: datetime) -> Step:
    """The status ``dv`` moves to at ``now``, and when to look again (``rate``: percent of the
    disk copied per second)."""
    status = dv.status
    phase = status.phase or ""
    restarts = status.restart_count or 0
    claim = dv.metadata.name or ""
    if phase == Phase.SUCCEEDED:
        return Step(_succeeded(restarts, claim), None)
    if facts.pvc_phase != "Bound":
        step = _status(Phase.PENDING, "N/A", restarts=restarts, bound=False, ready=False, running=False)
        return Step({**step, "claimName": claim if facts.pvc_phase else None}, None)
    source = dv.spec.source or cdi.DataVolumeSource(blank=cdi.BlankSource())
    base = {"claimName": claim}
    if source.kind == "blank":
        if phase != Phase.IMPORT_SCHEDULED:
            return Step(base | _scheduled(Phase.IMPORT_SCHEDULED, restarts), delay)
        return Step(_succeeded(restarts, claim), None)
    if source.kind == "pvc":
        if not facts.source_ready:
            pvc = source.pvc
            where = f"{pvc.namespace}/{pvc.name}" if pvc is not None else "?"
            waiting = _status(
                Phase.PENDING,
                "N/A",
                restarts=restarts,
                bound=True,
                ready=False,
                running=False,
                reason="CloneWithoutSource",
                message=f"source PVC {where} not found or not bound",
            )
            return Step(base | waiting, RETRY_SECONDS)
        if facts.source_fails:
            return _failing(dv, base, (Phase.CLONE_SCHEDULED, Phase.CLONE_IN_PROGRESS), CLONE_FAILED, delay)
        return _progress(
            dv,
            base,
            scheduled=Phase.CLONE_SCHEDULED,
            in_progress=Phase.CLONE_IN_PROGRESS,
            delay=delay,
            rate=rate,
            now=now,
        )
    error = unreachable(source_url(source))
    if error is not None:
        return _failing(dv, base, (Phase.IMPORT_SCHEDULED, Phase.IMPORT_IN_PROGRESS), error, delay)
    return _progress(
        dv,
        base,
        scheduled=Phase.IMPORT_SCHEDULED,
        in_progress=Phase.IMPORT_IN_PROGRESS,
        delay=delay,
        rate=rate,
        now=now,
    )


CLONE_FAILED = "Unable to clone: the source pod failed (simulated clone failure)"
"""The simulator's wording for a host-assisted clone whose source pod keeps failing."""


def _failing(
    dv: cdi.DataVolume, base: dict[str, Any], phases: tuple[Phase, Phase], error: str, delay: float
) -> Step:
    """A copy whose pod keeps failing: in progress, Running=False reason Error, restarts growing."""
    scheduled, in_progress = phases
    restarts = dv.status.restart_count or 0
    if (dv.status.phase or "") not in phases:
        return Step(base | _scheduled(scheduled, restarts), delay)
    failing = _status(
        in_progress,
        "N/A",
        restarts=restarts + 1,
        bound=True,
        ready=False,
        running=False,
        reason="Error",
        message=error,
    )
    return Step(base | failing, RETRY_SECONDS)


def _progress(
    dv: cdi.DataVolume,
    base: dict[str, Any],
    *,
    scheduled: Phase,
    in_progress: Phase,
    delay: float,
    rate: float,
    now: datetime,
) -> Step:
    phase = dv.status.phase or ""
    restarts = dv.status.restart_count or 0
    if phase not in (scheduled, in_progress):
        return Step(base | _scheduled(scheduled, restarts), delay)
    running = dv.status.condition(cdi.RUNNING)
    started = (
        _time(running.last_transition_time) if running is not None and running.status == "True" else None
    )
    if phase == scheduled or started is None:
        return Step(base | _running(in_progress, 0.0, restarts), delay)
    percent = (now - started).total_seconds() * rate
    if percent >= 100:
        return Step(_succeeded(restarts, dv.metadata.name or ""), None)
    last = _time(running.last_heartbeat_time) if running is not None else None
    wait = PROGRESS_WRITE_INTERVAL - (now - last).total_seconds() if last is not None else 0.0
    if wait > 0:
        return Step(None, min(wait, (100 - percent) / rate if rate > 0 else wait))
    return Step(
        base | _running(in_progress, percent, restarts), min(PROGRESS_WRITE_INTERVAL, (100 - percent) / rate)
    )


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _scheduled(phase: Phase, restarts: int) -> dict[str, Any]:
    return _status(phase, "N/A", restarts=restarts, bound=True, ready=False, running=False)


def _running(phase: Phase, percent: float, restarts: int) -> dict[str, Any]:
    return _status(phase, f"{percent:.2f}%", restarts=restarts, bound=True, ready=False, running=True)


def _succeeded(restarts: int, claim: str) -> dict[str, Any]:
    done = _status(
        Phase.SUCCEEDED,
        "100.0%",
        restarts=restarts,
        bound=True,
        ready=True,
        running=False,
        reason="Completed",
    )
    return {**done, "claimName": claim}


def comparable(status: dict[str, Any]) -> tuple[Any, ...]:
    """A status without condition times, to tell whether a write would change anything."""
    conditions = tuple(
        (c.get("type"), c.get("status"), c.get("reason"), c.get("message"))
        for c in status.get("conditions") or []
    )
    return (
        status.get("phase"),
        status.get("progress"),
        status.get("restartCount"),
        status.get("claimName"),
        conditions,
    )
