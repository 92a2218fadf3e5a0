"""kubenova's OpenStack-compatible HTTP gateway: Nova v2.1, Keystone v3, Glance v2 and Neutron subsets.

Owns HTTP only: it parses requests, checks policy, and reads or writes kubenova custom resources
through ``kubenova_api.store``. It never talks to KubeVirt and never writes ``status`` (the
operator does). Only ``store/`` imports the Kubernetes client; everything else sees typed models.
"""
