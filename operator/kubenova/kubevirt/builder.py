"""Pure: a Server, its Flavor, Image and Keypair and the chosen host → the VirtualMachine to create.

The same inputs always give the same body (names, MIME boundaries and all), so a re-run after an
operator restart builds exactly what the first run built, and a 409 on create can be adopted.

Choices, and why:
- ``nodeSelector kubernetes.io/hostname=<host>``: the nova-scheduler chose the host; KubeVirt
  (or the Kubernetes scheduler under it) must not choose another.
- CPU is sized by ``domain.cpu.cores`` only, no CPU request: the allocation ratio is enforced by
  the nova-scheduler, and a CPU request of whole cores would defeat ``cpu_allocation_ratio`` > 1.
  Memory is guest memory plus an equal request, so the Kubernetes scheduler agrees with ours.
- The root disk is persistent by default (``disks``): a DataVolume in ``spec.dataVolumeTemplates``,
  populated by CDI from the Image and sized as Nova sizes it, which virt-controller creates (owned
  by the VM, so it goes with the VM) and keeps across stop/start and reboot. An image with
  ``rootDisk: Ephemeral`` boots its containerDisk instead (reset at every start). The flavor's
  ephemeral and swap disks are blank DataVolumes, persistent like Nova's.
- Flavor extra specs and image properties (CPU topology and pinning, huge pages, firmware, disk
  bus, NIC model, watchdog, ...) shape the domain by Nova's rules (``domain.guest_shape``,
  ``guest_features``); a refused combination raises ``GuestShapeError`` (checked before placing).
- SMBIOS uuid = the Server's uid, as Nova's libvirt driver does, so the guest sees its Nova id.
- Cloud-init (NoCloud, or ConfigDrive when ``spec.configDrive``) carries the key and user data
  (composed by ``cloud_init``).
  User data over KubeVirt's inline limit (2048 bytes) goes into a Secret referenced by
  ``secretRef``; ``VmPlan.secret`` is then the Secret to create first.
- x509 keypairs are not injected: they are WinRM certificates, not SSH keys.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from kubenova.domain import admin_password, guest_shape
from kubenova.domain.names import FLAVOR_ANNOTATION, IMAGE_ANNOTATION, SERVER_LABEL, SERVER_UID_ANNOTATION
from kubenova.kubevirt import disks as disk_plan
from kubenova.kubevirt import guest_features, models
from kubenova.kubevirt.cloud_init import compose_user_data
from kubenova.resources.base import API_VERSION
from kubenova.resources.image import Image
from kubenova.resources.keypair import Keypair
from kubenova.resources.server import DesiredPowerState, EmbeddedFlavor, Server

HOSTNAME_LABEL = "kubernetes.io/hostname"

ROOT_DISK = disk_plan.ROOT_DISK
CLOUD_INIT_DISK = "cloudinitdisk"
EPHEMERAL_DISK = disk_plan.EPHEMERAL_DISK
SWAP_DISK = disk_plan.SWAP_DISK
POD_NETWORK = "default"
INLINE_USER_DATA_LIMIT = 2048


@dataclass(frozen=True)
class VmPlan:
    """What to create for a server: the VM and, for large user data, the Secret it references."""

    vm: models.VirtualMachine
    secret: dict[str, Any] | None = None
    credentials: dict[str, Any] | None = None
    """The (empty) Secret of the VM's ``userPassword`` access credential, for guest-agent images."""


def build(
    *,
    server: Server,
    flavor: EmbeddedFlavor,
    image: Image,
    keypair: Keypair | None,
    host: str,
    inline_limit: int = INLINE_USER_DATA_LIMIT,
    storage_class: str | None = None,
    hostname: str | None = None,
) -> VmPlan:
    """The VirtualMachine (and maybe user-data Secret) for ``server`` on ``host`` (``hostname``:
    the guest's, else one made from the display name)."""
    name = server.metadata.name
    uid = server.server_id
    user_data = compose_user_data(_decode_user_data(server.spec.user_data), _ssh_key(keypair))
    cloud_init, secret = _cloud_init_source(server, user_data, inline_limit)
    planned = disk_plan.plan(server, flavor, image, storage_class=storage_class or None)
    shape = guest_shape.shape(flavor.vcpus, flavor.extra_specs, image.spec.properties)
    bus = guest_features.disk_bus(shape)
    volumes = [planned.root_volume, _cloud_init_volume(server.spec.config_drive, cloud_init)]
    disks = [
        models.Disk(name=ROOT_DISK, disk=models.DiskTarget(bus=bus), boot_order=1),
        models.Disk(name=CLOUD_INIT_DISK, disk=models.DiskTarget(bus="virtio")),
    ]
    for volume in planned.scratch_volumes:
        volumes.append(volume)
        disks.append(models.Disk(name=volume.name, disk=models.DiskTarget(bus=bus)))
    networked = server.spec.networks != "none"
    interface = models.Interface(name=POD_NETWORK, masquerade={}, model=shape.vif_model)
    devices = models.Devices(
        disks=disks,
        interfaces=[interface] if networked else [],
        autoattach_pod_interface=None if networked else False,
        log_serial_console=True,  # the guest-console-log container: os-getConsoleOutput reads it
        watchdog=guest_features.watchdog(shape),
    )
    memory = f"{flavor.ram}Mi"
    vmi_spec = models.VmiSpec(
        domain=models.Domain(
            firmware=guest_features.firmware(shape, uid or None),
            features=guest_features.features(shape),
            machine=guest_features.machine(shape),
            cpu=guest_features.cpu(shape),
            memory=guest_features.memory(shape, memory),
            resources=models.ResourceRequirements(requests={"memory": memory}),
            devices=devices,
        ),
        node_selector={HOSTNAME_LABEL: host},
        networks=[models.Network(name=POD_NETWORK, pod={})] if networked else [],
        volumes=volumes,
        hostname=hostname_for(hostname or server.display_name, fallback=name),
        access_credentials=_access_credentials(name, image),
    )
    run_strategy = (  # a server asked Paused runs first; the operator pauses it once ACTIVE
        models.RunStrategy.HALTED
        if server.spec.power_state is DesiredPowerState.STOPPED
        else models.RunStrategy.ALWAYS
    )
    vm = models.VirtualMachine(
        metadata=models.ObjectMeta(
            name=name,
            namespace=server.metadata.namespace,
            labels={SERVER_LABEL: name},
            annotations={
                SERVER_UID_ANNOTATION: uid,
                FLAVOR_ANNOTATION: flavor.id,
                IMAGE_ANNOTATION: image.image_id,
            },
            owner_references=[owner_reference(server)],
        ),
        spec=models.VmSpec(
            run_strategy=run_strategy,
            template=models.VmiTemplate(
                metadata=models.ObjectMeta(
                    labels={SERVER_LABEL: name}, annotations={SERVER_UID_ANNOTATION: uid}
                ),
                spec=vmi_spec,
            ),
            data_volume_templates=planned.templates,
        ),
    )
    credentials = _credentials_secret(server) if vmi_spec.access_credentials else None
    return VmPlan(vm=vm, secret=secret, credentials=credentials)


def _access_credentials(name: str, image: Image) -> list[models.AccessCredential] | None:
    """changePassword's channel: the guest agent sets passwords from ``<vm>-admin-password``
    (only for images that run the agent, as Nova's libvirt driver requires)."""
    if not admin_password.guest_agent_enabled(image.spec.properties):
        return None
    source = models.AccessCredentialSource(
        secret=models.SecretSource(secret_name=admin_password.secret_name(name))
    )
    propagation = models.UserPasswordPropagation(qemu_guest_agent={})
    return [
        models.AccessCredential(
            user_password=models.UserPasswordAccessCredential(source=source, propagation_method=propagation)
        )
    ]


def _credentials_secret(server: Server) -> dict[str, Any]:
    """Empty until a password is asked for (the gateway, or a kubectl user, writes it)."""
    return admin_password.credentials_secret(server)


def owned_by(metadata: models.ObjectMeta, server_uid: str) -> bool:
    """Whether a VM or VMI built by this module belongs to the Server with ``server_uid``.

    A VM of the same name may be left from an earlier Server of that name that is still being
    garbage-collected; it must be neither adopted nor reported.
    """
    owner = metadata.annotations.get(SERVER_UID_ANNOTATION)
    return owner is None or owner == server_uid


def owner_reference(server: Server) -> dict[str, Any]:
    """Owner reference to the Server: the garbage collector removes children with it."""
    return {
        "apiVersion": API_VERSION,
        "kind": "Server",
        "name": server.metadata.name,
        "uid": server.server_id,
        "controller": True,
        "blockOwnerDeletion": True,
    }


def user_data_secret_name(server: Server, user_data: bytes) -> str:
    """Name of the Secret holding large user data: the server's uid plus a digest of the content.

    The name fixes the content, so the operator only ever creates the Secret (an existing one with
    this name already holds these bytes) and never needs to read, patch or delete Secrets; the owner
    reference to the Server lets garbage collection remove it with the Server.
    """
    digest = hashlib.sha256(user_data).hexdigest()[:12]
    return f"kubenova-userdata-{server.server_id}-{digest}"


def hostname_for(display_name: str, *, fallback: str) -> str:
    """A DNS label from the display name, as Nova sanitises hostnames ("My VM" → "my-vm")."""
    label = re.sub(r"[^a-z0-9-]+", "-", display_name.lower()).strip("-")[:63].strip("-")
    if label:
        return label
    return re.sub(r"[^a-z0-9-]+", "-", fallback.lower()).strip("-")[:63].strip("-") or "server"


# ----- cloud-init -----------------------------------------------------------------------------


def _decode_user_data(encoded: str | None) -> bytes | None:
    if not encoded:
        return None
    compact = "".join(encoded.split())
    # The CRD pattern admits only base64 characters; be lenient about missing padding.
    return base64.b64decode(compact + "=" * (-len(compact) % 4))


def _ssh_key(keypair: Keypair | None) -> str | None:
    if keypair is None or keypair.spec.type != "ssh":
        return None
    return keypair.spec.public_key.strip()


def _cloud_init_source(
    server: Server, user_data: bytes, inline_limit: int
) -> tuple[models.CloudInitSource, dict[str, Any] | None]:
    try:
        text: str | None = user_data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    inline = text if text is not None else base64.b64encode(user_data).decode()
    if len(inline.encode()) <= inline_limit:
        if text is not None:
            return models.CloudInitSource(user_data=text), None
        return models.CloudInitSource(user_data_base64=inline), None
    name = user_data_secret_name(server, user_data)
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {
            "name": name,
            "namespace": server.metadata.namespace,
            "labels": {SERVER_LABEL: server.metadata.name},
            "ownerReferences": [owner_reference(server)],
        },
        "data": {"userdata": base64.b64encode(user_data).decode()},
    }
    return models.CloudInitSource.model_validate({"secretRef": {"name": name}}), secret


def _cloud_init_volume(config_drive: bool, source: models.CloudInitSource) -> models.Volume:
    if config_drive:
        return models.Volume(name=CLOUD_INIT_DISK, cloud_init_config_drive=source)
    return models.Volume(name=CLOUD_INIT_DISK, cloud_init_no_cloud=source)
