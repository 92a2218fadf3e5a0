"""Server representations per microversion: index items, the full server (detail/show/update),
the create answer, and addresses.

Nova's rules kept here (``openstack`` and the SDK key off several of them): ``progress`` only in
ACTIVE/BUILD/REBUILD/RESIZE/VERIFY_RESIZE/MIGRATING, ``fault`` only in ERROR/DELETED (its
``details`` hidden from non-admins for code 500), no addresses while building, ``hostId`` a hash
of project and host so tenants can compare placement without learning host names, the flavor as
``{id, links}`` before 2.47 and embedded (``original_name``) from 2.47, ``OS-EXT-SRV-ATTR:*`` only
for callers the policy allows.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from kubenova.domain import names
from kubenova.resources import Server
from kubenova.resources.server import EmbeddedFlavor
from kubenova.resources.states import VmState
from kubenova_api.microversions import APIVersion
from kubenova_api.urls import PublicUrls
from kubenova_api.views import server_fields, server_state
from kubenova_api.views.server_fields import (
    annotation,
    availability_zone,
    host_id,
    hostname,
    isotime,
    launch_index,
    naive_time,
    requested_zone,
    scheduler_hints,
)

COLLECTION = "servers"


def canonical_ip(value: str | None) -> str:
    """An address as Nova shows it (``str`` of the stored IP object: IPv6 compressed); '' if unset."""
    if not value:
        return ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


PROGRESS_STATUSES = frozenset({"ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"})
FAULT_STATUSES = frozenset({"ERROR", "DELETED"})


@dataclass(frozen=True)
class ServerRefs:
    """What a representation needs from objects other than the Server (resolved by the router)."""

    project_id: str
    flavor_id: str | None
    flavor: EmbeddedFlavor | None
    image_id: str | None
    image_properties: dict[str, str]
    host_status: str
    """Nova's host_status (2.16): UP, DOWN, MAINTENANCE, UNKNOWN, or "" when unplaced."""
    server_groups: tuple[str, ...] = ()
    """The group the server is a member of (2.71), if that group still exists."""


@dataclass(frozen=True)
class ViewOptions:
    """Per-request choices: the version, where links point, and what the caller may see."""

    version: APIVersion
    urls: PublicUrls
    is_admin: bool
    show_extra_specs: bool
    show_extended_attributes: bool
    show_host_status: bool


# ----- pieces -------------------------------------------------------------------------------------


def links(server: Server, urls: PublicUrls) -> list[dict[str, str]]:
    return urls.self_and_bookmark(COLLECTION, server.server_id)


def addresses(server: Server, *, extended: bool) -> dict[str, list[dict[str, Any]]]:
    """``{label: [{version, addr, ...}]}``; empty while building, as Nova hides them then."""
    if server_state.vm_state(server) is VmState.BUILDING:
        return {}
    result: dict[str, list[dict[str, Any]]] = {}
    for label, entries in server.status.addresses.items():
        rendered = []
        for entry in entries:
            item: dict[str, Any] = {"version": entry.version, "addr": entry.addr}
            if extended:
                item["OS-EXT-IPS:type"] = entry.type
                item["OS-EXT-IPS-MAC:mac_addr"] = entry.mac_addr
            rendered.append(item)
        result[label] = rendered
    return result


def _image(refs: ServerRefs, opts: ViewOptions) -> dict[str, Any] | str:
    if not refs.image_id:
        return ""  # Nova's value for a server booted from a volume
    image: dict[str, Any] = {
        "id": refs.image_id,
        "links": [{"rel": "bookmark", "href": opts.urls.compute("images", refs.image_id, versioned=False)}],
    }
    if opts.version >= "2.98":
        image["properties"] = dict(refs.image_properties)
    return image


def _flavor(refs: ServerRefs, opts: ViewOptions) -> dict[str, Any]:
    if opts.version >= "2.47":
        flavor = refs.flavor
        if flavor is None:
            return {}
        body: dict[str, Any] = {
            "vcpus": flavor.vcpus,
            "ram": flavor.ram,
            "disk": flavor.disk,
            "ephemeral": flavor.ephemeral,
            "swap": flavor.swap,
            "original_name": flavor.name,
        }
        if opts.show_extra_specs:
            body["extra_specs"] = dict(flavor.extra_specs)
        return body
    if refs.flavor_id is None:
        return {}
    href = opts.urls.compute("flavors", refs.flavor_id, versioned=False)
    return {"id": refs.flavor_id, "links": [{"rel": "bookmark", "href": href}]}


def _fault(server: Server, opts: ViewOptions) -> dict[str, Any] | None:
    fault = server.status.fault
    if fault is None:
        return None
    body: dict[str, Any] = {"code": fault.code, "created": isotime(fault.created), "message": fault.message}
    if fault.details and (opts.is_admin or fault.code != 500):
        body["details"] = fault.details
    return body


# ----- whole representations ----------------------------------------------------------------------


def basic(server: Server, urls: PublicUrls) -> dict[str, Any]:
    """An item of ``GET /servers``."""
    return {"id": server.server_id, "name": server.display_name, "links": links(server, urls)}


def detail(
    server: Server,
    refs: ServerRefs,
    opts: ViewOptions,
    *,
    show_server_groups: bool = False,
    minimal: bool = False,
) -> dict[str, Any]:
    """The full server (``GET /servers/detail`` items, show, and update from 2.75).

    ``minimal`` is the update answer before 2.75, which left out the extension attributes.
    """
    status = server_state.status(server)
    spec = server.spec
    body: dict[str, Any] = {
        "id": server.server_id,
        "name": server.display_name,
        "status": status,
        "tenant_id": refs.project_id,
        "user_id": spec.user_id or "",
        "metadata": dict(spec.metadata),
        "hostId": host_id(refs.project_id, server.status.host),
        "image": _image(refs, opts),
        "flavor": _flavor(refs, opts),
        "created": isotime(server.metadata.creation_timestamp),
        "updated": isotime(server.status.updated_at or server.metadata.creation_timestamp),
        "addresses": addresses(server, extended=not minimal),
        "accessIPv4": annotation(server, names.ACCESS_IPV4_ANNOTATION) or "",
        "accessIPv6": canonical_ip(annotation(server, names.ACCESS_IPV6_ANNOTATION)),
        "links": links(server, opts.urls),
        "OS-DCF:diskConfig": annotation(server, names.DISK_CONFIG_ANNOTATION) or "MANUAL",
    }
    if status in FAULT_STATUSES:
        fault = _fault(server, opts)
        if fault is not None:
            body["fault"] = fault
    if status in PROGRESS_STATUSES:
        body["progress"] = server.status.progress or 0
    if not minimal:
        body.update(_extensions(server, refs, opts))
    groups = refs.server_groups if show_server_groups else None
    body.update(_since_microversions(server, opts, server_groups=groups, minimal=minimal))
    return body


def _since_microversions(
    server: Server, opts: ViewOptions, *, server_groups: tuple[str, ...] | None, minimal: bool
) -> dict[str, Any]:
    """The fields added by microversions after 2.1."""
    version, spec = opts.version, server.spec
    body: dict[str, Any] = {}
    if version >= "2.9":
        body["locked"] = spec.locked
    if version >= "2.73":
        body["locked_reason"] = spec.locked_reason
    if version >= "2.19":
        body["description"] = spec.description
    if version >= "2.26":
        body["tags"] = list(spec.tags)
    if version >= "2.63":
        body["trusted_image_certificates"] = None
    if version >= "2.71" and server_groups is not None:
        body["server_groups"] = list(server_groups)
    if not minimal and version >= "2.90":
        body["OS-EXT-SRV-ATTR:hostname"] = hostname(server)
    if version >= "2.96":
        body["pinned_availability_zone"] = requested_zone(server)
    if version >= "2.100":
        body["scheduler_hints"] = scheduler_hints(server)
    return body


def _extensions(server: Server, refs: ServerRefs, opts: ViewOptions) -> dict[str, Any]:
    """The former v2.0 extensions, folded into the server body since 2.1."""
    spec, status = server.spec, server.status
    body: dict[str, Any] = {
        "OS-EXT-AZ:availability_zone": availability_zone(server),
        "config_drive": "True" if spec.config_drive else "",
        "key_name": spec.key_name,
        "OS-SRV-USG:launched_at": naive_time(status.launched_at),
        "OS-SRV-USG:terminated_at": naive_time(server_fields.terminated_at(server)),
        "OS-EXT-STS:task_state": server_state.task_state(server),
        "OS-EXT-STS:vm_state": server_state.vm_state(server),
        "OS-EXT-STS:power_state": server_state.power_state(server),
        "os-extended-volumes:volumes_attached": [],
    }
    if spec.networks != "none":
        # Every port is in the project's one security group (the network stub's "default").
        body["security_groups"] = [{"name": "default"}]
    if opts.show_extended_attributes:
        body["OS-EXT-SRV-ATTR:host"] = status.host
        body["OS-EXT-SRV-ATTR:instance_name"] = status.vm_name or server.metadata.name
        body["OS-EXT-SRV-ATTR:hypervisor_hostname"] = status.hypervisor_hostname
        if opts.version >= "2.3":
            body.update(
                {
                    "OS-EXT-SRV-ATTR:reservation_id": annotation(server, names.RESERVATION_ID_ANNOTATION),
                    "OS-EXT-SRV-ATTR:launch_index": launch_index(server),
                    "OS-EXT-SRV-ATTR:hostname": hostname(server),
                    "OS-EXT-SRV-ATTR:kernel_id": "",
                    "OS-EXT-SRV-ATTR:ramdisk_id": "",
                    "OS-EXT-SRV-ATTR:root_device_name": server_fields.ROOT_DEVICE_NAME
                    if status.host
                    else None,
                    "OS-EXT-SRV-ATTR:user_data": spec.user_data,
                }
            )
    if opts.version >= "2.16" and opts.show_host_status:
        body["host_status"] = refs.host_status
    return body


def created(
    server: Server, urls: PublicUrls, *, admin_pass: str | None, security_groups: list[str] | None
) -> dict[str, Any]:
    """The 202 answer to a create: id, links, disk config, the requested groups, the password."""
    body: dict[str, Any] = {
        "id": server.server_id,
        "links": links(server, urls),
        "OS-DCF:diskConfig": annotation(server, names.DISK_CONFIG_ANNOTATION) or "MANUAL",
    }
    if security_groups is not None:
        body["security_groups"] = [{"name": name} for name in security_groups]
    if admin_pass is not None:
        body["adminPass"] = admin_pass
    return {"server": body}


def rebuilt(server: Server, refs: ServerRefs, opts: ViewOptions, *, admin_pass: str | None) -> dict[str, Any]:
    """The 202 answer to a rebuild: the server (before 2.75 without the extension attributes, as
    Nova's ``_action_rebuild`` shows it) and the admin password."""
    body = detail(server, refs, opts, show_server_groups=True, minimal=opts.version < "2.75")
    if admin_pass is not None:
        body["adminPass"] = admin_pass
    return {"server": body}


def collection(items: list[dict[str, Any]], next_links: list[dict[str, str]]) -> dict[str, Any]:
    body: dict[str, Any] = {"servers": items}
    if next_links:
        body["servers_links"] = next_links
    return body
