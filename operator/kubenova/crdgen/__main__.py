"""``python -m kubenova.crdgen [--check] DIR``: generate the CRDs into DIR, or verify they are current.

``--check`` exits 1 and prints a unified diff when DIR differs from what the models produce, so
``make test`` fails on a model change whose CRDs were not regenerated (``make crds``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kubenova.crdgen.generate import diff, write


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kubenova.crdgen", description=__doc__)
    parser.add_argument("directory", type=Path, help="where the CRD YAML files live (crds/)")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 with a diff if the files are out of date"
    )
    args = parser.parse_args(argv)
    if args.check:
        delta = diff(args.directory)
        if delta:
            sys.stdout.write(delta)
            print(f"{args.directory}: CRDs are out of date with the models; run `make crds`", file=sys.stderr)
            return 1
        return 0
    for path in write(args.directory):
        print(f"wrote {path}" if path.exists() else f"removed {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
