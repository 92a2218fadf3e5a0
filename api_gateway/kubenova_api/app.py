"""``create_app(settings)``: the whole gateway on one port.

Layout: compute at ``/compute`` (``/compute/v2.1/...``), identity at ``/identity``
(``/identity/v3/...``), image at ``/image`` and network at ``/network``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from kubenova import k8s
from kubenova_api import faults
from kubenova_api.app_state import AppState
from kubenova_api.identity import routes as identity_routes
from kubenova_api.image import routes as image_routes
from kubenova_api.middleware import GatewayMiddleware
from kubenova_api.network import routes as network_routes
from kubenova_api.routers import (
    aggregates,
    availability_zones,
    extensions,
    flavor_access,
    flavor_extra_specs,
    flavors,
    hosts,
    hypervisors,
    images,
    keypairs,
    limits,
    migrations,
    quota_class_sets,
    quota_sets,
    server_actions,
    server_diagnostics,
    server_groups,
    server_instance_actions,
    server_ips,
    server_metadata,
    server_password,
    server_tags,
    server_topology,
    servers,
    simple_tenant_usage,
    versions,
)
from kubenova_api.routers import services as os_services
from kubenova_api.settings import Settings
from kubenova_api.store import Store
from kubenova_api.store.kube import connect

log = logging.getLogger(__name__)

# Order matters only in that the compute fallback (300/404 for unknown paths) comes last.
COMPUTE_ROUTERS: list[APIRouter] = [
    versions.router,
    extensions.router,
    hosts.router,
    flavors.router,
    flavor_extra_specs.router,
    flavor_access.router,
    keypairs.router,
    server_groups.router,
    aggregates.router,
    migrations.router,
    availability_zones.router,
    hypervisors.router,
    os_services.router,
    limits.router,
    quota_sets.router,
    quota_class_sets.router,
    servers.router,
    server_actions.router,
    server_metadata.router,
    server_tags.router,
    server_ips.router,
    server_instance_actions.router,
    simple_tenant_usage.router,
    server_diagnostics.router,
    server_password.router,
    server_topology.router,
    images.router,
]


def create_app(settings: Settings, *, api_client: k8s.ApiClient | None = None) -> FastAPI:
    """Build an app; Kubernetes is reached over ``api_client`` (the caller keeps closing it) or
    with the settings' kubeconfig."""
    kube = connect(settings.kubeconfig, api_client=api_client)
    store = Store(
        kube,
        identity_namespace=settings.identity_namespace,
        compute_node_selector=settings.compute_node_selector,
    )
    held = AppState.build(settings, store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store.start()
        missing = store.wait_synced(settings.cache_sync_timeout_seconds)
        if missing:
            log.warning("serving before these caches synced (their requests answer 503): %s", missing)
        await held.identity.load_keys()
        app.state.gateway = held
        try:
            yield
        finally:
            store.stop()
            kube.close()

    app = FastAPI(
        title="kubenova",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.gateway = None
    faults.install(app)
    for router in COMPUTE_ROUTERS:
        app.include_router(router)
    app.include_router(identity_routes.router)
    app.include_router(image_routes.router)
    app.include_router(network_routes.router)
    app.include_router(versions.fallback_router)
    app.add_middleware(
        GatewayMiddleware, public_url=settings.public_url, trust_proxy_headers=settings.trust_proxy_headers
    )
    return app
