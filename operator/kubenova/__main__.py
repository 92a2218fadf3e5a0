"""``python -m kubenova``: run the kubenova operator (kopf, cluster-wide, standalone).

Connection: ``--kubeconfig``, else ``$KUBECONFIG`` / ``~/.kube/config``, else the in-cluster
service account. Settings: ``KUBENOVA_*`` environment variables (``kubenova.settings``).
SIGTERM/SIGINT stop it gracefully (kopf finishes or abandons handlers and exits); everything it
does is persisted step by step, so even SIGKILL loses nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

import kopf

from kubenova import k8s
from kubenova.handlers import registry
from kubenova.handlers.runtime import Runtime
from kubenova.settings import Settings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m kubenova", description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG, then in-cluster)")
    parser.add_argument(
        "--liveness", metavar="URL", help="liveness endpoint, e.g. http://0.0.0.0:8080/healthz"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # every liveness probe otherwise
    if not args.verbose:
        # Every watch event runs a level-triggered handler; kopf would log each one's success.
        logging.getLogger("kopf.objects").setLevel(logging.WARNING)
    if args.kubeconfig:
        os.environ["KUBECONFIG"] = args.kubeconfig  # kopf's own login reads it too
    client = k8s.Client.from_environment(args.kubeconfig, user_agent=k8s.USER_AGENT)
    rt = Runtime.create(settings, client)
    logging.getLogger(__name__).info("Handlers registered from %d modules", len(registry.MODULES))
    asyncio.run(
        kopf.operator(
            clusterwide=not settings.namespaces,
            namespaces=list(settings.namespaces),
            standalone=True,
            liveness_endpoint=args.liveness or settings.liveness_endpoint,
            memo=kopf.Memo(runtime=rt),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
