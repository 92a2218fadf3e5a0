"""Connecting to the Kubernetes API: kubeconfig (explicit or $KUBECONFIG) or in-cluster."""

from __future__ import annotations

import os
from typing import cast

from kubernetes import client, config


def load_api_client(kubeconfig: str | None = None) -> client.ApiClient:
    """An ``ApiClient`` for the configured cluster; in-cluster when no kubeconfig is given."""
    path = kubeconfig or os.environ.get("KUBECONFIG")
    if path:
        return cast(client.ApiClient, config.new_client_from_config(config_file=path))  # type: ignore[no-untyped-call]
    configuration = client.Configuration()
    config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
    return client.ApiClient(configuration)
