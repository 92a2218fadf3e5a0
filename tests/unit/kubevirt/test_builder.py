"""The VirtualMachine built for a Server: placement, sizing, disks, network and cloud-init."""

from __future__ import annotations

import base64
import email
import gzip
from typing import Any

import yaml

from kubenova.kubevirt import builder, models
from tests.unit.operator import factories as f


def build(**kwargs: Any) -> builder.VmPlan:
    args: dict[str, Any] = {
        "server": f.server(),
        "flavor": f.embedded(),
        "image": f.image(),
        "keypair": None,
        "host": "node-a",
    }
    args.update(kwargs)
    return builder.build(**args)


def cloud_init(plan: builder.VmPlan) -> models.CloudInitSource:
    volume = next(v for v in plan.vm.spec.template.spec.volumes if v.name == builder.CLOUD_INIT_DISK)
    source = volume.cloud_init_no_cloud or volume.cloud_init_config_drive
    assert source is not None
    return source


def user_data(plan: builder.VmPlan) -> bytes:
    source = cloud_init(plan)
    if source.user_data is not None:
        return source.user_data.encode()
    assert source.user_data_base64 is not None
    return base64.b64decode(source.user_data_base64)


def test_vm_is_named_labelled_and_owned_like_its_server() -> None:
    vm = build().vm
    assert (vm.metadata.name, vm.metadata.namespace) == ("web-1", "demo")
    assert vm.metadata.labels == {builder.SERVER_LABEL: "web-1"}
    assert vm.metadata.annotations[builder.SERVER_UID_ANNOTATION] == f.SERVER_UID
    assert vm.metadata.owner_references == [
        {
            "apiVersion": "compute.kubenova.io/v1alpha1",
            "kind": "Server",
            "name": "web-1",
            "uid": f.SERVER_UID,
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    # The label reaches the VMI through the template, so VMI events map back to the Server.
    assert vm.spec.template.metadata.labels == {builder.SERVER_LABEL: "web-1"}
    assert vm.spec.template.metadata.annotations[builder.SERVER_UID_ANNOTATION] == f.SERVER_UID


def test_vm_is_pinned_to_the_chosen_host() -> None:
    assert build(host="node-b").vm.spec.template.spec.node_selector == {"kubernetes.io/hostname": "node-b"}


def test_run_strategy_follows_the_desired_power_state() -> None:
    assert build().vm.spec.run_strategy is models.RunStrategy.ALWAYS
    stopped = f.server(spec={"powerState": "Stopped"})
    assert build(server=stopped).vm.spec.run_strategy is models.RunStrategy.HALTED


def test_domain_is_sized_by_the_flavor() -> None:
    domain = build(flavor=f.embedded(vcpus=4, ram=2048)).vm.spec.template.spec.domain
    assert domain.cpu is not None
    assert domain.cpu.cores == 4
    assert domain.cpu.sockets == 1
    assert domain.memory is not None
    assert domain.memory.guest == "2048Mi"
    assert domain.resources is not None
    assert domain.resources.requests == {"memory": "2048Mi"}
    assert "cpu" not in domain.resources.requests  # CPU overcommit is the nova-scheduler's business
    assert domain.firmware is not None
    assert domain.firmware.uuid == f.SERVER_UID


def test_root_disk_boots_first() -> None:
    spec = build().vm.spec.template.spec
    assert spec.domain.devices.disks[0].name == builder.ROOT_DISK
    assert spec.domain.devices.disks[0].boot_order == 1


def test_pod_network_with_masquerade_unless_networks_none() -> None:
    spec = build().vm.spec.template.spec
    assert spec.networks == [models.Network(name="default", pod={})]
    assert spec.domain.devices.interfaces == [models.Interface(name="default", masquerade={})]
    offline = build(server=f.server(spec={"networks": "none"})).vm.spec.template.spec
    assert offline.networks == []
    assert offline.domain.devices.interfaces == []
    assert offline.domain.devices.autoattach_pod_interface is False


def test_hostname_is_the_display_name_made_dns_safe() -> None:
    spec = build(server=f.server(spec={"name": "My Web_Server #1"})).vm.spec.template.spec
    assert spec.hostname == "my-web-server-1"
    assert builder.hostname_for("!!!", fallback="web-1") == "web-1"
    assert len(builder.hostname_for("x" * 100, fallback="a")) == 63


def test_body_round_trips_through_the_kubevirt_model() -> None:
    body = build(flavor=f.embedded(ephemeral=1), keypair=f.keypair()).vm.to_api()
    assert models.VirtualMachine.model_validate(body).to_api() == body
    assert body["spec"]["runStrategy"] == "Always"
    assert "running" not in body["spec"]


def test_same_inputs_build_the_same_body() -> None:
    kwargs: dict[str, Any] = {
        "keypair": f.keypair(),
        "server": f.server(spec={"userData": f.text_user_data("#!/bin/sh\necho hi\n")}),
    }
    assert build(**kwargs).vm.to_api() == build(**kwargs).vm.to_api()


# ----- cloud-init ---------------------------------------------------------------------------


def test_key_without_user_data_becomes_a_cloud_config() -> None:
    data = user_data(build(keypair=f.keypair()))
    assert data.startswith(b"#cloud-config\n")
    assert yaml.safe_load(data) == {"ssh_authorized_keys": [f.KEY]}


def test_no_key_and_no_user_data_gives_an_empty_cloud_config() -> None:
    data = user_data(build())
    assert data.startswith(b"#cloud-config\n")
    assert yaml.safe_load(data) == {}


def test_user_data_without_a_key_is_passed_exactly() -> None:
    script = "#!/bin/sh\necho hello\n"
    assert user_data(build(server=f.server(spec={"userData": f.text_user_data(script)}))) == script.encode()


def test_key_is_merged_into_a_cloud_config_user_data() -> None:
    config = "#cloud-config\npackages: [nginx]\nssh_authorized_keys:\n  - ssh-rsa AAAA other\n"
    server = f.server(spec={"userData": f.text_user_data(config)})
    merged = yaml.safe_load(user_data(build(server=server, keypair=f.keypair())))
    assert merged == {"packages": ["nginx"], "ssh_authorized_keys": ["ssh-rsa AAAA other", f.KEY]}


def test_key_and_script_become_a_multipart_with_both() -> None:
    script = "#!/bin/sh\necho hello\n"
    server = f.server(spec={"userData": f.text_user_data(script)})
    message = email.message_from_bytes(user_data(build(server=server, keypair=f.keypair())))
    assert message.is_multipart()
    parts = [(p.get_content_type(), str(p.get_payload())) for p in message.walk() if not p.is_multipart()]
    assert parts[0][0] == "text/cloud-config"
    assert yaml.safe_load(parts[0][1]) == {"ssh_authorized_keys": [f.KEY]}
    assert parts[1] == ("text/plain", script)


def test_gzipped_user_data_is_unpacked_before_the_key_is_added() -> None:
    config = b"#cloud-config\nruncmd: [date]\n"
    encoded = base64.b64encode(gzip.compress(config, mtime=0)).decode()
    merged = yaml.safe_load(
        user_data(build(server=f.server(spec={"userData": encoded}), keypair=f.keypair()))
    )
    assert merged == {"runcmd": ["date"], "ssh_authorized_keys": [f.KEY]}


def test_x509_keypairs_are_not_injected() -> None:
    data = user_data(build(keypair=f.keypair(type="x509", key="-----BEGIN CERTIFICATE-----")))
    assert yaml.safe_load(data) == {}


def test_config_drive_is_used_when_asked() -> None:
    spec = build(server=f.server(spec={"configDrive": True}), keypair=f.keypair()).vm.spec.template.spec
    volume = next(v for v in spec.volumes if v.name == builder.CLOUD_INIT_DISK)
    assert volume.cloud_init_config_drive is not None
    assert volume.cloud_init_no_cloud is None


def test_large_user_data_goes_to_a_secret() -> None:
    script = "#!/bin/sh\n" + "echo padding\n" * 400
    server = f.server(spec={"userData": f.text_user_data(script)})
    plan = build(server=server)
    assert plan.secret is not None
    name = builder.user_data_secret_name(server, script.encode())
    assert plan.secret["metadata"]["name"] == name
    assert name.startswith(f"kubenova-userdata-{f.SERVER_UID}-")
    # The name pins the content: other bytes give another Secret, never a patch of this one.
    assert builder.user_data_secret_name(server, b"other") != name
    assert plan.secret["metadata"]["ownerReferences"][0]["uid"] == f.SERVER_UID
    assert base64.b64decode(plan.secret["data"]["userdata"]) == script.encode()
    assert cloud_init(plan).to_api() == {"secretRef": {"name": name}}
    assert build().secret is None


def test_owned_by_tells_our_vm_from_an_earlier_servers() -> None:
    metadata = build().vm.metadata
    assert builder.owned_by(metadata, f.SERVER_UID)
    assert not builder.owned_by(metadata, "another-uid")


def test_flavor_extra_specs_and_image_properties_shape_the_domain() -> None:
    flavor = f.embedded(
        vcpus=4,
        ram=2048,
        extraSpecs={
            "hw:cpu_sockets": "2",
            "hw:cpu_policy": "dedicated",
            "hw:mem_page_size": "2MB",
            "hw:numa_nodes": "1",
            "hw:watchdog_action": "reset",
        },
    )
    image = f.image(
        properties={
            "hw_disk_bus": "scsi",
            "hw_vif_model": "e1000",
            "hw_firmware_type": "uefi",
            "os_secure_boot": "required",
            "hw_machine_type": "q35",
        }
    )
    spec = build(flavor=flavor, image=image).vm.to_api()["spec"]["template"]["spec"]
    domain = spec["domain"]
    assert domain["cpu"] == {
        "sockets": 2,
        "cores": 2,
        "threads": 1,
        "dedicatedCpuPlacement": True,
        "numa": {"guestMappingPassthrough": {}},
    }
    assert domain["memory"] == {"guest": "2048Mi", "hugepages": {"pageSize": "2Mi"}}
    assert domain["firmware"]["bootloader"] == {"efi": {"secureBoot": True}}
    assert domain["features"] == {"smm": {"enabled": True}}
    assert domain["machine"] == {"type": "q35"}
    buses = {d["name"]: d["disk"]["bus"] for d in domain["devices"]["disks"]}
    assert buses == {builder.ROOT_DISK: "scsi", builder.CLOUD_INIT_DISK: "virtio"}
    assert domain["devices"]["interfaces"][0]["model"] == "e1000"
    assert domain["devices"]["watchdog"] == {"name": "watchdog", "i6300esb": {"action": "reset"}}


def test_plain_flavor_keeps_the_plain_domain() -> None:
    domain = build().vm.to_api()["spec"]["template"]["spec"]["domain"]
    assert domain["cpu"] == {"sockets": 1, "cores": 1, "threads": 1}
    assert "features" not in domain
    assert "machine" not in domain
    assert "watchdog" not in domain["devices"]
    assert "bootloader" not in domain["firmware"]
    assert "model" not in domain["devices"]["interfaces"][0]
