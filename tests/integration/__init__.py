"""Integration tests of the operator on the real control plane with the KubeVirt simulator."""
