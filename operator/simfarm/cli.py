"""The `simfarm` command. Each subcommand lives beside the code it drives and
registers itself here; heavy imports (the embedding model, chromadb, kopf) happen inside the
subcommand, so `simfarm --help` stays fast."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .errors import EXIT_INPUT_ERROR, InputError

# module path -> it defines register(subparsers)
SUBCOMMAND_MODULES = (
    "simfarm.plan.cli",
    "simfarm.plan.verify",
    "simfarm.rewriter.cli",
    "simfarm.retrieval.cli",
    "simfarm.local_render",
    "simfarm.cluster.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simfarm", description="Prompt-to-video render farm.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name != module_name:  # a real import error inside the module
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as error:
        print(f"simfarm: error: {error}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except BrokenPipeError:  # output piped into `head`: stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("simfarm: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
