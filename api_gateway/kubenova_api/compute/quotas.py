"""Quota usage and the quota check servers are created against.

Usage is counted from the Server cache when asked (``kubenova_api.usage.of_project``; a check of a
project with no server resource limited counts nothing, as the operator's recheck); limits are
``store.quotas``'. ``check`` is what server create (and resize) calls before writing a Server.
"""

from __future__ import annotations

from kubenova.domain import quotas
from kubenova_api import errors
from kubenova_api.settings import QuotaDefaults
from kubenova_api.store import Store
from kubenova_api.usage import ProjectUsage, of_project


def usage(store: Store, namespace: str | None) -> ProjectUsage:
    """What the project whose servers live in ``namespace`` holds (nothing without a namespace)."""
    if not namespace:
        return ProjectUsage()
    return of_project(store.servers.list(namespace), store.flavors.crs.get)


def in_use(store: Store, namespace: str | None) -> dict[str, int]:
    """Usage as Nova's quota resources."""
    used = usage(store, namespace)
    groups = len(store.server_groups.list(namespace)) if namespace else 0
    return {"instances": used.instances, "cores": used.cores, "ram": used.ram, "server_groups": groups}


def check(
    store: Store,
    project_id: str,
    *,
    namespace: str | None,
    settings_defaults: QuotaDefaults,
    instances: int = 0,
    cores: int = 0,
    ram: int = 0,
) -> None:
    """Raise ``QuotaExceededError`` (403) if the project cannot take ``instances`` more servers
    holding ``cores`` vCPUs and ``ram`` MiB in total.

    Call it with the totals of the request (e.g. ``instances=n``, ``cores=n * flavor.vcpus``,
    ``ram=n * flavor.ram``; for a resize, only the growth). Like Nova's, the check reads usage
    before the write, so two creates racing on different replicas can both pass: this is the
    fast path (Nova's 403). The guarantee is the operator's recheck before it places a server
    (``kubenova.domain.quotas``, ``handlers/servers/scheduling.py``; docs/security.md).
    """
    limits = store.quotas.limits(project_id, settings_defaults)
    if quotas.unlimited(limits):
        return  # nothing to count: the project's servers are not read (O(its servers) per create)
    used = usage(store, namespace)
    message = quotas.exceeded(
        limits,
        quotas.Usage(used.instances, used.cores, used.ram),
        quotas.Usage(instances, cores, ram),
    )
    if message is not None:
        raise errors.QuotaExceededError(message)
