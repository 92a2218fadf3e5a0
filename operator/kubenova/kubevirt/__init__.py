"""KubeVirt (kubevirt.io/v1) as kubenova uses it: typed models, the VM builder and the client.

``models`` is shared with the KubeVirt simulator; the simulator imports nothing else of kubenova.
"""
