"""Conformance gate: the OpenStack clients' own functional compute tests against the local stack."""
