"""KubeVirt simulator: kubenova's equivalent of Nova's fake virt driver.

KubeVirt cannot run where kubenova is developed and tested (no container runtime, no KVM), so this
separate process plays KubeVirt's parts against the *real* Kubernetes API server:

* **CRDs** (``crds``): installs ``virtualmachines``, ``virtualmachineinstances`` and
  ``virtualmachineinstancemigrations`` in ``kubevirt.io/v1`` with KubeVirt's names, short names and
  printer columns, if they are missing.
* **Fake Nodes** (``nodes``): registers ``--nodes`` Nodes and acts as kubelet for every Node labelled
  ``kubevirt-simulator.kubenova.io/managed=true`` (Ready condition, heartbeats, Lease). Annotations
  on a managed Node inject faults: ``kubevirt-simulator.kubenova.io/ready=false`` (NotReady) and
  ``kubevirt-simulator.kubenova.io/fail-vmis=true`` (its VMIs fail).
* **virt-controller** (``vm_controller``, ``vm_decisions``): VM -> VMI per run strategy, VM status,
  CrashLoopBackOff, finalizers and deletion.
* **virt-handler** (``vmi_lifecycle``, ``vmi_status``, ``placement``, ``capacity``, ``ipam``): VMI
  phases with ``--phase-delay`` per step, kube-scheduler-like placement on managed Nodes, one IPv4
  per VMI from ``--ip-cidr`` (stable for the VMI's life, restored after a restart), MACs.
* **Migrations** (``migrations``): VirtualMachineInstanceMigration phases, target placement,
  ``status.migrationState``.

Plumbing: ``apiclient`` (raw JSON over the official client's connection), ``informer`` (list+watch
caches with 410 handling), ``workqueue`` (de-duplicating, delayed), ``simulator`` (wiring),
``config`` (flags), ``__main__`` (signals). The simulator imports nothing from kubenova except
``kubenova.kubevirt.models``; nothing imports the simulator. It says what it is in its logs
("kubevirt-simulator: ..."), in the annotations it owns and on the Nodes it registers, but the
objects the operator reads look like real KubeVirt's.

Known differences from KubeVirt: no virt-launcher Pods exist (placement is computed, not done by
kube-scheduler; ``activePods`` holds stable fake pod uids); no admission webhooks (an invalid VM
gets a ``Failure`` condition instead of being rejected; a migration that KubeVirt's webhook would
refuse is created and then fails); the VMI address survives live migration (KubeVirt's pod-network
address would change unless the network keeps it); no memory overhead is added to launcher
requests; RestartRequired on template changes, pause/unpause, guest agent data, hotplug and
snapshots are not simulated; Nodes are not tainted by a node-lifecycle controller (placement treats
a NotReady Node as tainted ``node.kubernetes.io/not-ready``), and VMIs on a NotReady Node keep
running until the Node is deleted or annotated ``fail-vmis``.

Plan: the subresource API (not implemented yet)
------------------------------------------------
Real KubeVirt serves ``subresources.kubevirt.io/v1`` through the aggregation layer (virt-api, an
APIService in front of a Service). virtctl and clients PUT to
``/apis/subresources.kubevirt.io/v1/namespaces/{ns}/virtualmachines/{name}/{start|stop|restart|migrate}``
and ``.../virtualmachineinstances/{name}/{pause|unpause}``. The simulator would serve the same:

1. An HTTPS server (stdlib ``http.server`` in a thread, a self-signed cert) on ``--api-port``,
   answering discovery (``/apis/subresources.kubevirt.io/v1`` APIResourceList with the
   ``virtualmachines/start`` etc. subresources) and the PUT endpoints, trusting the front proxy's
   ``X-Remote-User`` headers only from the aggregator's client CA (``--requestheader-*``).
2. On start it registers an ``APIService`` ``v1.subresources.kubevirt.io`` pointing at a Service
   without selector plus an EndpointSlice with 127.0.0.1:port (the local apiserver must run with
   ``--enable-aggregator-routing=false`` and the front-proxy flags; the control-plane launcher owns
   those flags), and removes it on shutdown so namespace deletion never blocks on a dead API.
3. Semantics, all as writes the controllers above already understand:
   ``start`` -> Halted: spec.runStrategy=Always; Manual/others: append ``{"action":"Start"}`` to
   ``status.stateChangeRequests`` (409 if already running); ``stop`` -> Always/RerunOnFailure:
   spec.runStrategy=Halted; Manual: ``{"action":"Stop","uid":<vmi uid>}``; ``restart`` -> Stop(uid)
   then Start requests; ``migrate`` -> create a VirtualMachineInstanceMigration; ``pause``/``unpause``
   -> a ``Paused`` VMI condition (printableStatus Paused is already derived from it).
4. Tests: the same PUTs through the real apiserver's aggregation, plus virtctl-free HTTP calls.
"""
