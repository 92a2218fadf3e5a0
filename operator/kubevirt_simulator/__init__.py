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
* **virt-api subresources** (``subresource_api``, ``subresource_actions``, ``apiservice``,
  ``servingcert``; opt-in ``--subresource-api``): ``subresources.kubevirt.io/v1`` start, stop,
  restart, migrate (VMs) and pause, unpause, softreboot (VMIs) behind the API server's aggregation
  layer.

Plumbing: ``kubenova.k8s`` (the project's one client stack: the sync ``Transport``, raw JSON over
the official client's connection, and ``Informer``, list+watch caches with 410 handling),
``workqueue`` (de-duplicating, delayed), ``simulator`` (wiring), ``config`` (flags), ``__main__``
(signals). The simulator imports nothing from kubenova except ``kubenova.k8s``,
``kubenova.quantities`` and ``kubenova.kubevirt.models``; nothing imports the simulator. It says
what it is in its logs ("kubevirt-simulator: ..."), its user agent, the annotations it owns and
on the Nodes it registers, but the objects the operator reads look like real KubeVirt's.

Known differences from KubeVirt: virt-launcher Pods (``launcher_pods``) are created already bound
and run nothing; their logs come from the simulator's per-Node kubelet endpoints (``kubelet_api``,
``boot_log``); placement is computed, not done by kube-scheduler (``activePods`` holds stable pod
uids, not the Pods'); no admission webhooks (an invalid VM
gets a ``Failure`` condition instead of being rejected; a migration that KubeVirt's webhook would
refuse is created and then fails); the VMI address survives live migration (KubeVirt's pod-network
address would change unless the network keeps it); no memory overhead is added to launcher
requests; RestartRequired on template changes, guest agent data, hotplug and snapshots are not
simulated (KubeVirt's lifecycle Events are posted, ``kubevirt_events``; CDI's are not); the
simulator itself keeps the ``node.kubernetes.io/not-ready`` taint of managed Nodes in line with
their Ready condition (kube-controller-manager's node lifecycle controller may not run), but it
evicts nothing: VMIs on a NotReady Node keep running until the Node is deleted or
annotated ``fail-vmis``.

The subresource API
-------------------
Real KubeVirt serves ``subresources.kubevirt.io/v1`` from virt-api through the aggregation layer;
clients PUT to ``/apis/subresources.kubevirt.io/v1/namespaces/{ns}/virtualmachines/{name}/{start|
stop|restart|migrate}`` and ``.../virtualmachineinstances/{name}/{pause|unpause}``. With
``--subresource-api`` the simulator does the same:

1. An HTTPS server (stdlib ``http.server`` in threads, a self-signed certificate) on
   ``--subresource-api-host``:``--subresource-api-port`` (loopback, any free port by default)
   answers discovery and the PUTs.
2. It registers the APIService ``v1.subresources.kubevirt.io`` (CA bundle = its certificate) in
   front of an ExternalName Service ``kube-system/kubevirt-simulator-subresources`` naming its
   address, so the aggregator reaches it without kube-proxy or endpoints and without extra
   apiserver flags; both are removed on shutdown (an unavailable APIService breaks discovery and
   namespace deletion, so a simulator killed with SIGKILL leaves that to clean up).
3. Each request is authorized with a SubjectAccessReview for the caller the aggregator names in
   ``X-Remote-User``/``X-Remote-Group`` (verb ``update``, e.g. ``virtualmachines/restart``), so RBAC
   applies as with KubeVirt. The headers are trusted without checking the aggregator's front-proxy
   client certificate (the local control plane has none configured): keep the listener on loopback.
4. Semantics follow virt-api: ``start`` flips Halted to Always, appends a guarded Start request for
   Manual/RerunOnFailure and refuses Always/Once or a running VM (409); ``stop`` flips Always/Once
   to Halted and sends Stop(uid) for Manual/RerunOnFailure; ``restart`` sends Stop(uid) + Start;
   ``migrate`` creates a ``kubevirt-migrate-vm-*`` migration; ``pause``/``unpause`` set or clear the
   VMI ``Paused`` condition (virt-handler's part), which makes the VM ``Paused``; ``softreboot``
   refuses a VMI not running or paused (409), else posts virt-handler's ``SoftRebooted`` Event and
   keeps the VMI (a Node annotated ``soft-reboot=fail`` answers 500 as for a guest with neither
   agent nor ACPI; one annotated ``pause=fail`` answers a pause with 500). Request bodies are
   only read for ``dryRun``; grace periods and paused starts are not simulated.

In a cluster (the Deployment in ``manifests/``) it stays off: it would need a Service routing to
the Pod, RBAC for apiservices/services/subjectaccessreviews and front-proxy client verification.
"""
