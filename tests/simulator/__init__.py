"""Tests of the KubeVirt simulator: pure units, and integration against the real control plane."""
