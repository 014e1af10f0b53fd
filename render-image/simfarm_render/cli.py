"""The ``simfarm-render`` command: ``shard`` and ``assemble``.

stdout carries exactly one line, the JSON summary; Blender's own output is
sent to stderr. Exit codes: 0 done, 3 permanent (do not retry), 1 retryable.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Any, Callable, Iterator, TextIO

from . import report
from .errors import EXIT_OK, EXIT_PERMANENT, EXIT_RETRYABLE, PermanentError

COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX"


def _completion_index() -> int | None:
    value = os.environ.get(COMPLETION_INDEX_ENV)
    return int(value) if value not in (None, "") else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simfarm-render", description="Render and assemble simfarm shards with Blender.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    shard = commands.add_parser("shard", help="render one shard of a request")
    shard.add_argument("--plan", required=True, help="plan.json: a local path or s3:// URI")
    shard.add_argument("--index", type=int, default=_completion_index(),
                       help=f"shard index (default: ${COMPLETION_INDEX_ENV})")
    shard.add_argument("--out", help="output base directory or s3:// prefix (default: where plan.json is)")
    assemble = commands.add_parser("assemble", help="join a variant's segments into video.mp4")
    assemble.add_argument("--plan", required=True, help="plan.json: a local path or s3:// URI")
    assemble.add_argument("--variant", type=int, required=True, help="variant index")
    assemble.add_argument("--out", help="output base directory or s3:// prefix (default: where plan.json is)")
    return parser


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[TextIO]:
    """Point file descriptor 1 at stderr (Blender prints there from C); yields the real stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    real_stdout = os.fdopen(saved, "w")
    try:
        yield real_stdout
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        real_stdout.close()


def _command(args: argparse.Namespace) -> Callable[[], dict[str, Any]]:
    if args.command == "shard":
        if args.index is None:
            raise PermanentError(f"no shard index: pass --index or set ${COMPLETION_INDEX_ENV}")
        from . import shard  # imports bpy: only the shard command pays for it

        return lambda: shard.run(args.plan, args.index, args.out)
    from . import assemble

    return lambda: assemble.run(args.plan, args.variant, args.out)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with _stdout_to_stderr() as stdout:
        try:
            summary = _command(args)()
        except PermanentError as error:
            return _fail(args, str(error), EXIT_PERMANENT, stdout)
        except KeyboardInterrupt:
            return _fail(args, "interrupted", EXIT_RETRYABLE, stdout)
        except Exception as error:  # anything unforeseen may pass on retry
            return _fail(args, f"{type(error).__name__}: {error}", EXIT_RETRYABLE, stdout)
        report.emit(summary, stdout)
    return EXIT_OK


def _fail(args: argparse.Namespace, message: str, code: int, stdout: TextIO) -> int:
    message = " ".join(message.split())
    print(f"simfarm-render {args.command}: error: {message}", file=sys.stderr, flush=True)
    report.emit({"command": args.command, "error": message, "permanent": code == EXIT_PERMANENT}, stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
