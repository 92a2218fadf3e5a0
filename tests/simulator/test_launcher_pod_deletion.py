"""The simulated kubelet finishes a graceful deletion of a virt-launcher Pod: the guest shuts down
(the VMI ends Succeeded, as virt-handler reports a guest shut down on virt-launcher's SIGTERM), the
Pod is reported terminal and deleted; so a namespace with running VMs can be deleted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.fixtures.simulator import SimulatorHandle
from tests.simulator.kubevirt import KubeVirt, condition, vm_manifest
from tests.simulator.test_storage import with_data_volume
from tests.support.cluster import Cluster
from tests.support.storage import Storage, phase
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

GRACE = 30
"""The VMs' ``terminationGracePeriodSeconds``: a graceful shutdown (3 phase delays here)."""


def _graceful(vm: dict[str, Any]) -> dict[str, Any]:
    vm["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = GRACE
    return vm


def _pods_of(kubevirt: KubeVirt, vmi_uid: str) -> list[Any]:
    return list(
        kubevirt.core.list_namespaced_pod(
            kubevirt.namespace, label_selector=f"kubevirt.io/created-by={vmi_uid}"
        ).items
    )


def _launcher_pod(kubevirt: KubeVirt, vmi_uid: str) -> Any:
    running = [p for p in _pods_of(kubevirt, vmi_uid) if p.status.phase == "Running"]
    return running[0] if running else None


def _pod_gone(kubevirt: KubeVirt, name: str, uid: str) -> bool:
    try:
        pod = kubevirt.core.read_namespaced_pod(name, kubevirt.namespace)
    except ApiException as exc:
        if exc.status == 404:
            return True
        raise
    return bool(pod.metadata.uid != uid)


def _event_reasons(kubevirt: KubeVirt, uid: str) -> list[str]:
    events = kubevirt.core.list_namespaced_event(
        kubevirt.namespace, field_selector=f"involvedObject.uid={uid}"
    ).items
    return [e.reason for e in events]


def _delete_pod(kubevirt: KubeVirt, pod: Any) -> None:
    """A graceful delete, as the namespace controller or ``kubectl delete pod`` makes it."""
    kubevirt.core.delete_namespaced_pod(pod.metadata.name, kubevirt.namespace)


def test_a_gracefully_deleted_launcher_pod_shuts_the_guest_down_and_goes(
    kubevirt: KubeVirt, simulator: SimulatorHandle
) -> None:
    kubevirt.create_vm(_graceful(vm_manifest("once", run_strategy="Once", nodes=simulator.node_names)))
    vmi = kubevirt.wait_vmi_phase("once", "Running")
    uid = vmi["metadata"]["uid"]
    pod = wait_for(lambda: _launcher_pod(kubevirt, uid), timeout=15, message="a Running launcher pod")
    assert pod.spec.termination_grace_period_seconds == GRACE + 30  # KubeVirt's two 15 s paddings

    _delete_pod(kubevirt, pod)

    wait_for(lambda: _pod_gone(kubevirt, pod.metadata.name, pod.metadata.uid), timeout=15, message="pod gone")
    stopped = kubevirt.wait_vmi_phase("once", "Succeeded")
    assert stopped["metadata"]["uid"] == uid  # the same VMI, shut down; runStrategy Once: no restart
    ready = condition(stopped, "Ready")
    assert (ready["status"], ready["reason"]) == ("False", "PodTerminating")
    reasons = _event_reasons(kubevirt, uid)
    assert "ShuttingDown" in reasons
    assert "Stopped" in reasons
    vm = kubevirt.wait_vm_status("once", "Stopped")
    assert vm["status"].get("ready") is not True


def test_with_run_strategy_always_the_vm_starts_a_new_vmi(
    kubevirt: KubeVirt, simulator: SimulatorHandle
) -> None:
    kubevirt.create_vm(_graceful(vm_manifest("always", nodes=simulator.node_names)))
    first = kubevirt.wait_vmi_phase("always", "Running")
    uid = first["metadata"]["uid"]
    pod = wait_for(lambda: _launcher_pod(kubevirt, uid), timeout=15, message="a Running launcher pod")

    _delete_pod(kubevirt, pod)

    def restarted() -> dict[str, Any] | None:
        vmi = kubevirt.vmi("always")
        if vmi is None or vmi["metadata"]["uid"] == uid:
            return None
        return vmi if (vmi.get("status") or {}).get("phase") == "Running" else None

    second = wait_for(restarted, timeout=20, message="a new Running VMI")
    assert second is not None
    wait_for(lambda: _pod_gone(kubevirt, pod.metadata.name, pod.metadata.uid), timeout=15, message="pod gone")
    assert "ShuttingDown" in _event_reasons(kubevirt, uid)
    new_pod = wait_for(
        lambda: _launcher_pod(kubevirt, second["metadata"]["uid"]), timeout=15, message="the new VMI's pod"
    )
    assert new_pod.metadata.uid != pod.metadata.uid
    assert kubevirt.wait_vm_status("always", "Running")["status"]["ready"] is True


def _namespace_gone(kubevirt: KubeVirt) -> bool:
    try:
        kubevirt.core.read_namespace(kubevirt.namespace)
    except ApiException as exc:
        if exc.status == 404:
            return True
        raise
    return False


def test_a_namespace_with_a_running_vm_and_its_disk_is_deleted(
    cluster: Cluster, kubevirt: KubeVirt, simulator: SimulatorHandle
) -> None:
    body = with_data_volume(
        _graceful(vm_manifest("busy", nodes=simulator.node_names)), {"blank": {}}, size="1Gi"
    )
    kubevirt.create_vm(body)
    vmi = kubevirt.wait_vmi_phase("busy", "Running", timeout=30)
    pod = wait_for(
        lambda: _launcher_pod(kubevirt, vmi["metadata"]["uid"]), timeout=15, message="a Running launcher pod"
    )
    with cluster.connected() as api:
        storage = Storage(api, kubevirt.namespace)
        assert phase(storage.dv("busy-root")) == "Succeeded"
        pvc = storage.pvc("busy-root")
        assert pvc is not None
        assert pvc["status"]["phase"] == "Bound"
        pv_name = pvc["spec"]["volumeName"]

        kubevirt.core.delete_namespace(kubevirt.namespace)

        wait_for(lambda: _namespace_gone(kubevirt), timeout=60, message="the namespace deleted")
        assert _pod_gone(kubevirt, pod.metadata.name, pod.metadata.uid)
        # The PV of the deleted claim goes too (reclaim policy Delete): nothing is left behind.
        wait_for(lambda: storage.pv(pv_name) is None, timeout=30, message=f"PV {pv_name} deleted")


def test_a_force_deleted_launcher_pod_fails_its_running_vmi(
    kubevirt: KubeVirt, simulator: SimulatorHandle
) -> None:
    """Grace period 0: no kubelet shuts anything down; virt-controller finds a Running VMI without
    its pod and marks it Failed."""
    kubevirt.create_vm(_graceful(vm_manifest("forced", run_strategy="Once", nodes=simulator.node_names)))
    vmi = kubevirt.wait_vmi_phase("forced", "Running")
    uid = vmi["metadata"]["uid"]
    pod = wait_for(lambda: _launcher_pod(kubevirt, uid), timeout=15, message="a Running launcher pod")

    kubevirt.core.delete_namespaced_pod(pod.metadata.name, kubevirt.namespace, grace_period_seconds=0)

    failed = kubevirt.wait_vmi_phase("forced", "Failed")
    assert failed["metadata"]["uid"] == uid
    ready = condition(failed, "Ready")
    assert (ready["status"], ready["reason"]) == ("False", "PodNotExists")
    assert "ShuttingDown" not in _event_reasons(kubevirt, uid)
    pods = kubevirt.core.list_namespaced_pod(
        kubevirt.namespace, label_selector=f"kubevirt.io/created-by={uid}"
    )
    assert pods.items == []  # not created again


def _refuse_pods(cluster: Cluster, namespace: str) -> Iterator[None]:
    """Pod creates in ``namespace`` refused by the API server (an admission policy), in force on
    return; removed afterwards."""
    name = f"refuse-pods-{namespace}"
    policy = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {
                "resourceRules": [
                    {
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "operations": ["CREATE"],
                        "resources": ["pods"],
                    }
                ]
            },
            "validations": [{"expression": "false", "message": "pods refused by the test"}],
        },
    }
    binding = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": name},
        "spec": {
            "policyName": name,
            "validationActions": ["Deny"],
            "matchResources": {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}
            },
        },
    }
    with cluster.connected() as api:
        objects = client.CustomObjectsApi(api)
        group, version = "admissionregistration.k8s.io", "v1"
        objects.create_cluster_custom_object(group, version, "validatingadmissionpolicies", policy)
        objects.create_cluster_custom_object(group, version, "validatingadmissionpolicybindings", binding)
        core = client.CoreV1Api(api)
        probe = client.V1Pod(
            metadata=client.V1ObjectMeta(name="probe"),
            spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="none")]),
        )

        def refused() -> bool:
            try:
                core.create_namespaced_pod(namespace, probe, dry_run="All")
            except ApiException as exc:
                if exc.status in (403, 422):
                    return True
                raise
            return False

        try:
            wait_for(refused, timeout=30, message="the admission policy in force")
            yield
        finally:
            objects.delete_cluster_custom_object(group, version, "validatingadmissionpolicybindings", name)
            objects.delete_cluster_custom_object(group, version, "validatingadmissionpolicies", name)


def test_a_vmi_deleted_before_its_pod_could_be_created_goes(
    cluster: Cluster, kubevirt: KubeVirt, simulator: SimulatorHandle
) -> None:
    """A VMI placed whose launcher pod the API server refuses (in a full run, a namespace already
    being terminated; here an admission policy) must still be let go when it is deleted: no pod is
    created for a VMI being deleted, as virt-controller does. CI once stuck a namespace forever
    on a VMI the simulator kept trying to give a pod."""
    with contextmanager(_refuse_pods)(cluster, kubevirt.namespace):
        kubevirt.create_vm(vm_manifest("refused", run_strategy="Once", nodes=simulator.node_names))
        vmi = kubevirt.wait_vmi_phase("refused", "Scheduled")
        assert vmi["status"]["nodeName"]
        assert _pods_of(kubevirt, vmi["metadata"]["uid"]) == []  # refused

        kubevirt.delete("virtualmachines", "refused")  # as the namespace controller deletes it

        kubevirt.wait_gone("virtualmachineinstances", "refused", timeout=30)
        kubevirt.wait_gone("virtualmachines", "refused", timeout=30)
        assert _pods_of(kubevirt, vmi["metadata"]["uid"]) == []
