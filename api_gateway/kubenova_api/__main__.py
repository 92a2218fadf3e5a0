"""``python -m kubenova_api``: serve the gateway, or ``bootstrap`` the identity configuration.

    python -m kubenova_api --host 127.0.0.1 --port 8774
    python -m kubenova_api bootstrap --password-file PASSWORDS.json [--default-password P]

``PASSWORDS.json`` maps user names (``admin`` included) to passwords. The environment variables
``KUBENOVA_BOOTSTRAP_ADMIN_PASSWORD`` and ``KUBENOVA_BOOTSTRAP_DEFAULT_PASSWORD`` (the Job in
``manifests/`` sets them from a Secret) keep them off the command line too; ``--admin-password``,
``--default-password`` and ``--user-password demo-member=P`` still work, but ``ps`` shows them.

Kubernetes is reached through KUBENOVA_API_KUBECONFIG, else $KUBECONFIG or ~/.kube/config, else
in-cluster (``kubenova.k8s``, as the operator and the simulator do).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path

import uvicorn

from kubenova_api.app import create_app
from kubenova_api.identity.bootstrap import bootstrap
from kubenova_api.identity.passwords import DEFAULT_ROUNDS
from kubenova_api.settings import Settings
from kubenova_api.store import Store
from kubenova_api.store.kube import connect


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kubenova_api", description=__doc__.splitlines()[0] if __doc__ else ""
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8774)
    parser.add_argument("--log-level", default="info")
    sub = parser.add_subparsers(dest="command")
    boot = sub.add_parser("bootstrap", help="create/update users, projects, token key and namespaces")
    boot.add_argument(
        "--password-file",
        type=Path,
        help="JSON object of user name -> password (admin included); keeps passwords off the command line",
    )
    boot.add_argument("--admin-password", help="the admin's password (visible to ps; prefer --password-file)")
    boot.add_argument("--default-password", help="password for new default users (else random, printed)")
    boot.add_argument(
        "--user-password", action="append", default=[], metavar="USER=PASSWORD", help="set a user's password"
    )
    boot.add_argument("--bcrypt-rounds", type=int, default=DEFAULT_ROUNDS)
    return parser


def _passwords_from(args: argparse.Namespace) -> dict[str, str]:
    """User name -> password: the file's, then ``--admin-password``/``--user-password``."""
    wanted: dict[str, str] = {}
    if args.password_file is not None:
        data = json.loads(args.password_file.read_text())
        if not isinstance(data, dict) or not all(isinstance(v, str) and v for v in data.values()):
            raise SystemExit(f"{args.password_file}: expected a JSON object of user name -> password")
        wanted.update({str(k): v for k, v in data.items()})
    admin = args.admin_password or os.environ.get("KUBENOVA_BOOTSTRAP_ADMIN_PASSWORD")
    if admin:
        wanted["admin"] = admin
    wanted.update(dict(item.split("=", 1) for item in args.user_password))
    if "admin" not in wanted:
        raise SystemExit("bootstrap needs the admin's password (--password-file or --admin-password)")
    return wanted


def _run_bootstrap(args: argparse.Namespace, settings: Settings) -> int:
    user_passwords = _passwords_from(args)
    admin_password = user_passwords.pop("admin")
    store = Store(connect(settings.kubeconfig), identity_namespace=settings.identity_namespace)
    result = asyncio.run(
        bootstrap(
            store,
            settings,
            admin_password=admin_password,
            user_passwords=user_passwords,
            default_password=args.default_password or os.environ.get("KUBENOVA_BOOTSTRAP_DEFAULT_PASSWORD"),
            bcrypt_rounds=args.bcrypt_rounds,
        )
    )
    for project in result.directory.config.projects:
        print(f"project {project.name}: id {project.id}, namespace {project.namespace}")
    for user, password in sorted(result.generated_passwords.items()):
        print(f"generated password for {user}: {password}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings()
    if args.command == "bootstrap":
        return _run_bootstrap(args, settings)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        proxy_headers=False,
        timeout_keep_alive=settings.keep_alive_seconds,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
