"""Label, annotation and finalizer names the simulator reads and writes.

Names under ``kubevirt-simulator.kubenova.io/`` belong to the simulator and say so; everything under
``kubevirt.io/`` is a name real KubeVirt uses, reproduced so the operator sees the same objects it
would see on a real cluster.
"""

from __future__ import annotations

SIMULATOR_PREFIX = "kubevirt-simulator.kubenova.io"

# Nodes
MANAGED_LABEL = f"{SIMULATOR_PREFIX}/managed"
"""Label (value "true") that hands a Node to the simulator; unlabelled Nodes are never touched."""
READY_ANNOTATION = f"{SIMULATOR_PREFIX}/ready"
"""Annotation: "false" makes a managed Node report Ready=False (a dead host)."""
FAIL_VMIS_ANNOTATION = f"{SIMULATOR_PREFIX}/fail-vmis"
"""Annotation: "true" makes every VMI on the Node go to phase Failed (failure injection)."""
SOFT_REBOOT_ANNOTATION = f"{SIMULATOR_PREFIX}/soft-reboot"
"""Annotation: "fail" makes a softreboot of a VMI on the Node fail as virt-launcher's does for a
guest with neither the guest agent connected nor ACPI (failure injection)."""
PAUSE_ANNOTATION = f"{SIMULATOR_PREFIX}/pause"
"""Annotation: "fail" makes a pause of a VMI on the Node fail in virt-handler, as a domain that
libvirt cannot suspend does (virt-api answers 500; failure injection)."""
GUEST_AGENT_ANNOTATION = f"{SIMULATOR_PREFIX}/guest-agent"
"""Annotation: "disconnected" makes the guest agent of every VMI on the Node unreachable, so access
credentials cannot be synchronized (failure injection)."""
CREATED_BY_ANNOTATION = f"{SIMULATOR_PREFIX}/created-by"
"""Set on Nodes the simulator registered itself (as opposed to Nodes a test created)."""

HOSTNAME_LABEL = "kubernetes.io/hostname"
OS_LABEL = "kubernetes.io/os"
ARCH_LABEL = "kubernetes.io/arch"
SCHEDULABLE_LABEL = "kubevirt.io/schedulable"
"""virt-handler labels the nodes it runs on; virt-launcher pods select on it."""

# VMIs
NODE_NAME_LABEL = "kubevirt.io/nodeName"
VM_GENERATION_ANNOTATION = "kubevirt.io/vm-generation"
ALLOW_POD_BRIDGE_MIGRATION_ANNOTATION = "kubevirt.io/allow-pod-bridge-network-live-migration"
VM_CONTROLLER_FINALIZER = "kubevirt.io/virtualMachineControllerFinalize"
"""virt-controller's VM controller: on VMs, and on the VMIs it creates until it has seen them final."""
VMI_FINALIZER = "foregroundDeleteVirtualMachine"
"""virt-controller's VMI controller: held until the guest has shut down."""

# Node taints the kube-scheduler honours for a not-ready node.
NOT_READY_TAINT = "node.kubernetes.io/not-ready"

# Storage (the simulated CSI provisioner and CDI)
PROVISIONER = "csi.kubevirt-simulator.kubenova.io"
"""The simulated provisioner (and CSI driver name of its PVs)."""
STORAGE_CLASS = "kubevirt-simulator"
"""The StorageClass the simulator installs (the default class when the cluster has none)."""
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
PROVISIONED_BY_ANNOTATION = "pv.kubernetes.io/provisioned-by"
CLONE_ANNOTATION = f"{SIMULATOR_PREFIX}/clone"
"""Annotation on a PVC: "fail" makes every clone from it fail as a host-assisted clone whose source
pod keeps failing (failure injection)."""
UNREACHABLE_SUFFIX = ".invalid"
"""An import from a host under this reserved TLD (RFC 2606) fails as an unreachable source does."""
CDI_IMPORT_ENDPOINT_ANNOTATION = "cdi.kubevirt.io/storage.import.endpoint"
CDI_IMPORT_SOURCE_ANNOTATION = "cdi.kubevirt.io/storage.import.source"
CDI_CLONE_SOURCE_ANNOTATION = "k8s.io/CloneRequest"
