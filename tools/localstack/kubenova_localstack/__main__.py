"""Command line: ``python -m kubenova_localstack {run,kubectl,env,binaries}``.

``run`` is what ``make run`` calls. ``kubectl`` runs the project's own kubectl against the local
stack (``python -m kubenova_localstack kubectl get servers -A``), so nobody has to fiddle with PATH.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from kubenova_localstack import defaults
from kubenova_localstack.binaries import BuildError, ensure_binaries, repo_root
from kubenova_localstack.stack import (
    DEFAULT_GATEWAY_PORT,
    Stack,
    StackBusyError,
    default_apps,
    existing_cluster_requested,
)


def _state_dir(value: str | None) -> Path:
    return Path(value).resolve() if value else repo_root() / ".state"


def _kubeconfig(state_dir: Path) -> str:
    if existing_cluster_requested() and os.environ.get("KUBECONFIG"):
        return os.environ["KUBECONFIG"]
    return str(state_dir / "kubeconfig")


def _run(args: argparse.Namespace) -> int:
    skip = {s.strip() for s in args.without.split(",") if s.strip()}
    apps = [a for a in default_apps(args.gateway_port, args.phase_delay) if a.name not in skip]
    stack = Stack(
        root=repo_root(),
        state_dir=_state_dir(args.state_dir),
        apps=apps,
        echo=not args.quiet,
        with_defaults=not (args.no_defaults or defaults.skipped_by_environment()),
    )
    try:
        return stack.run()
    except StackBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _kubectl(args: argparse.Namespace) -> int:
    kubectl = ensure_binaries() / "kubectl"
    env = dict(os.environ, KUBECONFIG=_kubeconfig(_state_dir(args.state_dir)))
    os.execve(kubectl, [str(kubectl), *args.kubectl_args], env)


def _env(args: argparse.Namespace) -> int:
    bin_dir = ensure_binaries()
    print(f"export KUBECONFIG={shlex.quote(_kubeconfig(_state_dir(args.state_dir)))}")
    print(f'export PATH={shlex.quote(str(bin_dir))}:"$PATH"')
    return 0


def _binaries(_: argparse.Namespace) -> int:
    print(ensure_binaries())
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m kubenova_localstack", description=__doc__)
    top.add_argument("--state-dir", help="state directory (default: .state/ in the checkout)")
    sub = top.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start the whole stack in the foreground (make run)")
    run.add_argument("--gateway-port", type=int, default=DEFAULT_GATEWAY_PORT)
    run.add_argument(
        "--without",
        default="",
        help="comma-separated components not to start: kubevirt-simulator, operator, gateway",
    )
    run.add_argument("--quiet", action="store_true", help="log components to files only, not the terminal")
    run.add_argument(
        "--no-defaults",
        action="store_true",
        help="do not create the default flavors (m1.*) and image (cirros) of manifests/defaults/ "
        f"(also: {defaults.NO_DEFAULTS_ENV}=1)",
    )
    run.add_argument(
        "--phase-delay",
        type=float,
        default=None,
        help="seconds per simulated VMI phase step (the simulator's --phase-delay; 0 for tests)",
    )
    run.set_defaults(func=_run)

    kubectl = sub.add_parser("kubectl", help="the project's kubectl, pointed at the local stack")
    kubectl.add_argument("kubectl_args", nargs=argparse.REMAINDER)
    kubectl.set_defaults(func=_kubectl)

    env = sub.add_parser("env", help='print exports: eval "$(python -m kubenova_localstack env)"')
    env.set_defaults(func=_env)

    binaries = sub.add_parser("binaries", help="build the control plane if needed; print its directory")
    binaries.set_defaults(func=_binaries)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
