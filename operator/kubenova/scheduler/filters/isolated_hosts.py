"""IsolatedHostsFilter: keep the ``isolated_images`` on the ``isolated_hosts`` (Nova's options).

An isolated image runs only on isolated hosts. With ``restrict_isolated_hosts_to_isolated_images``
(default true) isolated hosts also run only isolated images; without any ``isolated_images``
they then run nothing. The image is the request's image id.
"""

from __future__ import annotations

from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec


class IsolatedHostsFilter(HostFilter):
    """Pass hosts where the image's isolation and the host's agree."""

    runs_on_rebuild = True

    def passes_all(self, spec: RequestSpec) -> bool:
        return not self.config.isolated_images and not (
            self.config.restrict_isolated_hosts_to_isolated_images and self.config.isolated_hosts
        )

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        config = self.config
        restrict = config.restrict_isolated_hosts_to_isolated_images
        host_isolated = host.name in config.isolated_hosts
        if not config.isolated_images:
            if restrict and host_isolated:
                return "the host is isolated and no image is isolated"
            return None
        image_isolated = spec.image_id is not None and spec.image_id in config.isolated_images
        if image_isolated and not host_isolated:
            return f"image {spec.image_id} is isolated and the host is not an isolated host"
        if restrict and host_isolated and not image_isolated:
            return "the host is isolated and runs only isolated images"
        return None
