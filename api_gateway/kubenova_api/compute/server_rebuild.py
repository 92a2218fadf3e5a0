"""The ``rebuild`` action (Nova's ``compute/api.py`` ``rebuild``): the row's checks (policy
``os_compute_api:servers:rebuild``, lock, ACTIVE/SHUTOFF/ERROR and idle), the new image (it exists,
the caller may see it, it is active, it fits the server's flavor: ``min_disk``/``min_ram`` and
size), the key (2.54), then one conditional patch: ``spec.image`` and what else the body changes
(name, metadata replaced as a whole, key, user data, description), ``spec.rebuild`` with the
request id, the Nova attributes kept in annotations, and the inbox entry. The operator re-creates
the root disk from the new image on the same host.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from kubenova.domain import actions, flavors, guest_shape, names
from kubenova.resources import Server
from kubenova.resources.image import Image
from kubenova_api import errors
from kubenova_api.compute import access, guards, inbox
from kubenova_api.compute.server_create_checks import id_from_ref
from kubenova_api.context import RequestContext
from kubenova_api.schemas.server_rebuild import Rebuild
from kubenova_api.store import Store

ROW = actions.SERVER_ACTIONS["rebuild"]
ADMIN_PASS_LENGTH = 12
_ANNOTATIONS = (
    ("access_ipv4", names.ACCESS_IPV4_ANNOTATION),
    ("access_ipv6", names.ACCESS_IPV6_ANNOTATION),
    ("disk_config", names.DISK_CONFIG_ANNOTATION),
    ("hostname", names.HOSTNAME_ANNOTATION),
)


@dataclass(frozen=True)
class Rebuilt:
    server: Server
    image: Image
    admin_pass: str


def _image(ctx: RequestContext, store: Store, server: Server, ref: str) -> Image:
    image_id = id_from_ref(ref)
    found = store.images.find(image_id)
    if found is None or not access.image_visible(ctx, found):
        raise errors.BadRequestError("Can not find requested image")
    if (found.status.status or "active") != "active":
        raise errors.BadRequestError(f"Image {image_id} is not active.")
    flavor = server.status.flavor
    if flavor is not None:
        refusal = (
            flavors.image_fit_error(flavor, found)
            or flavors.root_disk_error(flavor, found)
            or guest_shape.api_refusal(flavor.vcpus, flavor.extra_specs, found.spec.properties)
        )
        if refusal is not None:
            raise errors.BadRequestError(refusal)
    return found


def _spec(current: Server, body: Rebuild, image: Image, request_id: str) -> dict[str, Any]:
    given = body.model_fields_set
    spec: dict[str, Any] = {"image": image.metadata.name}
    if body.name is not None:
        spec["name"] = body.name
    if body.metadata is not None:  # Nova replaces the metadata as a whole
        spec["metadata"] = {**dict.fromkeys(current.spec.metadata), **body.metadata}
    if "key_name" in given:
        spec["keyName"] = body.key_name
    if "user_data" in given:
        spec["userData"] = body.user_data
    if "description" in given:
        spec["description"] = body.description
    rebuild: dict[str, Any] = {"requestId": request_id, "preserveEphemeral": bool(body.preserve_ephemeral)}
    rebuild["hostname"] = body.hostname
    spec["rebuild"] = rebuild
    return spec


async def rebuild(store: Store, ctx: RequestContext, server: Server, body: Rebuild) -> Rebuilt:
    """Check and write the rebuild; the server as stored afterwards."""
    guards.check(ROW, ctx, server)
    if body.trusted_image_certificates:
        raise errors.BadRequestError(
            "The requested functionality is not supported: trusted image certificates."
        )
    image = _image(ctx, store, server, body.image_ref)
    if body.key_name is not None and store.keypairs.resolve(ctx.user_id, body.key_name) is None:
        raise errors.BadRequestError("Invalid key_name provided.")
    request = inbox.new_request(ctx, ROW.name)
    given = body.model_fields_set
    annotations: dict[str, str | None] = {
        key: getattr(body, field) or None for field, key in _ANNOTATIONS if field in given
    }

    def build(current: Server) -> dict[str, Any]:
        guards.check(ROW, ctx, current)
        written = {**annotations, **inbox.appended(current, request)}
        return {"spec": _spec(current, body, image, ctx.request_id), "metadata": {"annotations": written}}

    build(server)  # refuse from the cache before writing anything
    # Nova answers with the instance as the API left it (the new image), even when the conductor
    # has already refused the rebuild by the time the answer is sent.
    updated = await store.servers.modify(server, build, as_written=True)
    password = body.admin_pass or "".join(
        secrets.choice(string.ascii_letters + string.digits) for _ in range(ADMIN_PASS_LENGTH)
    )
    return Rebuilt(server=updated, image=image, admin_pass=password)
