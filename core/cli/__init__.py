"""`topiclens` command line: the same engine as the dashboard, headless.

Each subcommand lives in its own module with `register(subparsers)`, which adds a parser and sets
`func(args) -> int`. User errors (`InputError`) print one `error: ...` line and exit 2.
"""

from __future__ import annotations

import argparse
import os
import sys

from core import __version__
from core.errors import InputError

# Subcommand modules, in the order `--help` lists them.
COMMAND_MODULES = ["core.cli.inspect", "core.cli.terms", "core.cli.sweep", "core.cli.topics", "core.cli.finetune",
                   "core.cli.project"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors: one line, exit 2
        self.exit(2, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = _Parser(prog="topiclens", description="TopicLens: exploratory topic analysis, headless.")
    parser.add_argument("--version", action="version", version=f"topiclens {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except (OSError, MemoryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug or an unforeseen failure: one line, no traceback (TOPICLENS_DEBUG=1 shows it)
        if os.environ.get("TOPICLENS_DEBUG"):
            raise
        print(f"error: unexpected failure ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
