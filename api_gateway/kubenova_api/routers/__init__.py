"""Compute (Nova v2.1) routers, one module per resource, each exposing ``router``.

Adding a resource: write ``routers/<things>.py`` with ``router = APIRouter(prefix=COMPUTE)``,
a ``schemas/<things>.py`` and a ``views/<things>.py``, then append it to ``COMPUTE_ROUTERS`` in
``kubenova_api.app``. Handlers take ``ctx: Context``, ``version: Version``, ``urls: Urls`` and the
store; they call ``policy.authorize`` first and raise ``kubenova_api.errors`` for failures.
"""

from kubenova_api.urls import COMPUTE, COMPUTE_VERSION

COMPUTE_PREFIX = f"/{COMPUTE}/{COMPUTE_VERSION}"

__all__ = ["COMPUTE_PREFIX"]
