"""``/os-services`` (admin): the ``nova-compute`` service of every compute Node.

- list: ``?host=`` and ``?binary=`` filters; from 2.75 other query parameters are a 400;
- disable/enable cordons/uncordons the Node (what the operator's scheduler and Kubernetes both
  honour) and records the reason in an annotation; ``forced_down`` adds/removes a NoSchedule
  taint (see ``store.nodes``). From 2.53 by service id (``PUT /os-services/{uuid}``), before that
  by ``host``+``binary`` with the action in the path (``enable``, ``disable``,
  ``disable-log-reason``, and from 2.11 ``force-down``);
- delete: refused with 409. A compute service here *is* a Kubernetes Node; deleting the Node
  object from the compute API would orphan every pod on it (not only kubenova's), and the
  kubelet would register it again anyway. While servers run there the answer is Nova's own
  409; otherwise it says how to retire the Node with kubectl, which removes the service.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from kubenova.domain.hosts import ComputeHost
from kubenova_api import errors, policy
from kubenova_api.compute import zones
from kubenova_api.deps import Context, JsonBody, SettingsDep, StoreDep, Version
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.queries import refuse_unknown
from kubenova_api.schemas.services import LegacyServiceUpdate, LegacyServiceUpdateV211, ServiceUpdateV253
from kubenova_api.schemas.validation import parse_body
from kubenova_api.store import Store
from kubenova_api.views import services as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/os-services")
_P = "os_compute_api:os-services:"
_LIST_QUERY = frozenset({"host", "binary"})


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _find(store: Store, service_id: str, version: APIVersion) -> ComputeHost | None:
    if version >= "2.53":
        return store.nodes.by_uid(service_id)
    try:
        return store.nodes.by_legacy_id(int(service_id))
    except ValueError:
        return None


@router.get("")
async def list_services(
    *, request: Request, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep
) -> JSONResponse:
    policy.authorize(ctx, _P + "list")
    query = request.query_params
    refuse_unknown(query, _LIST_QUERY, version)
    host, binary = query.get("host"), query.get("binary")
    nodes = [n for n in store.nodes.all() if not host or n.name == host]
    if binary and binary != views.BINARY:
        nodes = []
    zone = settings.default_availability_zone
    return JSONResponse(
        {"services": [views.service(n, zones.zone_of(store, n.name, zone), version) for n in nodes]}
    )


@router.put("/{service_id}")
async def update_service(
    *, service_id: str, body: JsonBody, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep
) -> JSONResponse:
    if version < "2.53":
        policy.authorize(ctx, _P + "update")
        return JSONResponse(await _legacy_update(store, service_id, body, version))
    if not _is_uuid(service_id):
        raise errors.BadRequestError(f"Invalid uuid {service_id}")
    policy.authorize(ctx, _P + "update")
    update = parse_body(ServiceUpdateV253, body)
    node = store.nodes.by_uid(service_id)
    if node is None:
        raise errors.NotFoundError(f"Service {service_id} could not be found.")
    fields = update.model_fields_set
    if "status" not in fields and "forced_down" not in fields:
        raise errors.BadRequestError(
            "No updates were requested. Fields 'status' or 'forced_down' should be specified."
        )
    if update.status == "enabled" and update.disabled_reason:
        raise errors.BadRequestError("Specifying 'disabled_reason' with status 'enabled' is invalid.")
    if update.status is not None:
        disabled = update.status == "disabled"
        node = await store.nodes.set_disabled(node, disabled=disabled, reason=update.disabled_reason)
    if update.forced_down is not None:
        node = await store.nodes.set_forced_down(node, forced_down=update.forced_down)
    zone = zones.zone_of(store, node.name, settings.default_availability_zone)
    return JSONResponse({"service": views.service(node, zone, version)})


async def _legacy_update(store: Store, action: str, body: Any, version: APIVersion) -> dict[str, Any]:
    """``PUT /os-services/<action>`` with ``{"host", "binary", ...}`` (before 2.53)."""
    actions = {"enable", "disable", "disable-log-reason"} | ({"force-down"} if version >= "2.11" else set())
    request = parse_body(LegacyServiceUpdateV211 if version >= "2.11" else LegacyServiceUpdate, body)
    if action not in actions:
        raise errors.NotFoundError("Unknown action")
    if request.binary != views.BINARY:
        raise errors.BadRequestError(
            f"Updating a {request.binary} service is not supported. "
            "Only nova-compute services can be updated."
        )
    node = store.nodes.get(request.host)
    if node is None:
        raise errors.NotFoundError(f"Could not find binary {request.binary} on host {request.host}.")
    if action == "force-down":
        forced_down = request.forced_down if isinstance(request, LegacyServiceUpdateV211) else None
        if forced_down is None:
            raise errors.BadRequestError("Missing forced_down field")
        node = await store.nodes.set_forced_down(node, forced_down=forced_down)
        return views.legacy_forced_down(node)
    reason: str | None = None
    if action == "disable-log-reason":
        if request.disabled_reason is None:
            raise errors.BadRequestError("Missing disabled reason field")
        reason = request.disabled_reason
    node = await store.nodes.set_disabled(node, disabled=action != "enable", reason=reason)
    return views.legacy_status(node, reason=reason)


@router.delete("/{service_id}")
async def delete_service(*, service_id: str, ctx: Context, version: Version, store: StoreDep) -> Response:
    policy.authorize(ctx, _P + "delete")
    if version >= "2.53" and not _is_uuid(service_id):
        raise errors.BadRequestError(f"Invalid uuid {service_id}")
    if version < "2.53" and not service_id.strip().lstrip("-").isdigit():
        raise errors.BadRequestError("Invalid input received: id must be an integer")
    node = _find(store, service_id, version)
    if node is None:
        raise errors.NotFoundError(f"Service {service_id} not found.")
    if any(server.status.host == node.name for server in store.servers.list()):
        raise errors.ConflictError(
            "Unable to delete compute service that is hosting instances. "
            "Migrate or delete the instances first."
        )
    raise errors.ConflictError(
        f"The nova-compute service on {node.name} is the Kubernetes Node {node.name}; kubenova does not "
        f"delete Nodes. Retire it with kubectl (kubectl drain {node.name}; kubectl delete node "
        f"{node.name}) and its compute service is gone with it."
    )
