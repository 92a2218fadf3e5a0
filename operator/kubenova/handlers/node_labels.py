"""Pure: the labels kubenova puts on Nodes for Aggregates, so zones are visible to Kubernetes
(``kubectl get nodes -L compute.kubenova.io/availability-zone``) and usable in node selectors.

kubenova owns exactly these keys on every Node: ``AZ_LABEL`` and every key starting with
``AGGREGATE_LABEL_PREFIX``. Desired labels are computed from all Aggregates at once, so a
removed host, a deleted Aggregate or one missed while the operator was down is fixed by the next
reconcile. A Node's zone follows the scheduler's rule (``scheduler.host_state``): the zone of
the first zoned Aggregate, by name, that lists it (``domain.zones``); Nodes in no zone get no zone
label (they are in the default zone).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

from kubenova.domain import zones
from kubenova.domain.names import AGGREGATE_LABEL_PREFIX, AZ_LABEL
from kubenova.domain.zones import AggregateInfo
from kubenova.resources.aggregate import Aggregate

_NAME_LIMIT = 63


def aggregate_label(aggregate_name: str) -> str:
    """``compute.kubenova.io/aggregate-<name>``, shortened with a hash if the name part would
    exceed Kubernetes' 63 characters."""
    prefix, _, part = AGGREGATE_LABEL_PREFIX.rpartition("/")
    name = f"{part}{aggregate_name}"
    if len(name) > _NAME_LIMIT:
        digest = hashlib.sha256(aggregate_name.encode()).hexdigest()[:8]
        name = f"{name[: _NAME_LIMIT - 9].rstrip('-._')}-{digest}"
    return f"{prefix}/{name}"


def label_value(text: str) -> str:
    """``text`` as a valid label value: other characters become '-', at most 63 characters."""
    value = re.sub(r"[^A-Za-z0-9._-]", "-", text).strip("-._")
    if len(value) > _NAME_LIMIT or (value != text and value):
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        value = f"{value[: _NAME_LIMIT - 9].rstrip('-._')}-{digest}"
    return value


def desired_labels(node: str, aggregates: Iterable[Aggregate]) -> dict[str, str]:
    """The kubenova labels ``node`` should carry."""
    member_of = [a for a in aggregates if node in a.spec.hosts]
    labels = {aggregate_label(a.metadata.name): "true" for a in member_of}
    zoned = zones.zones_holding(node, [AggregateInfo.from_resource(a) for a in member_of])
    if zoned:
        labels[AZ_LABEL] = label_value(zoned[0])
    return labels


def labels_patch(current: Mapping[str, str], desired: Mapping[str, str]) -> dict[str, str | None] | None:
    """The ``metadata.labels`` merge patch from ``current`` to ``desired`` for the keys kubenova
    owns (``None`` removes a label), or ``None`` when they already match."""
    patch: dict[str, str | None] = {key: None for key in current if _owned(key) and key not in desired}
    patch.update({key: value for key, value in desired.items() if current.get(key) != value})
    return patch or None


def missing_hosts(aggregate: Aggregate, node_names: set[str]) -> list[str]:
    return [host for host in aggregate.spec.hosts if host not in node_names]


def _owned(key: str) -> bool:
    return key == AZ_LABEL or key.startswith(AGGREGATE_LABEL_PREFIX)
