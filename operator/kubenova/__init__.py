"""kubenova: OpenStack Compute (Nova) as a Kubernetes operator.

Sub-packages: ``resources`` (CR models, the single source of truth), ``crdgen`` (CRD YAML from the
models), ``kubevirt`` (typed KubeVirt subset, VM builder and client), ``scheduler`` (pure
nova-scheduler style placement), ``handlers`` (kopf wiring, thin), ``status`` (VM/VMI observation
to Nova status, pure), ``quantities`` (Kubernetes resource quantities, pure) and ``k8s`` (the one
Kubernetes client stack, shared with the gateway and the simulator).
"""
