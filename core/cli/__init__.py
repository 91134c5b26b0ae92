"""`topiclens` command line: the same engine as the dashboard, headless.

Each subcommand lives in its own module with `register(subparsers)`, which adds a parser and sets
`func(args) -> int`. User errors (`InputError`) print one `error: ...` line and exit 2.

Output language: `--lang zh|en` anywhere on the command line, else LANGUAGE / LC_ALL / LC_MESSAGES /
LANG (zh_* is Chinese, anything else English). Help, messages, argparse's own words and the
report follow it; data (tables, JSON, the corpus) is never translated.
"""

from __future__ import annotations

import argparse
import errno
import signal
import sys

from core import __version__, i18n, settings
from core.errors import InputError
from core.i18n import N_, _

# Subcommand modules, in the order `--help` lists them.
COMMAND_MODULES = ["core.cli.inspect", "core.cli.terms", "core.cli.sweep", "core.cli.topics", "core.cli.finetune",
                   "core.cli.project", "core.cli.serve"]
#: the output-language option's dest (the tokenizer's language keeps dest "lang": --text-lang)
OUTPUT_LANG = "output_lang"


class Failure(Exception):
    """A user-facing failure whose message is already in the output language: one error line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        from core.cli.formatting import HelpFormatter

        kwargs.setdefault("formatter_class", HelpFormatter)   # wraps Chinese help text by display width
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # argparse's own errors: one line, exit 2
        self.exit(2, error_line(message) + "\n")


def error_line(message: str) -> str:
    return _("error: {message}").format(message=message)


def add_lang_arg(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: a subcommand's parser must not overwrite a --lang given before the subcommand
    parser.add_argument("--lang", dest=OUTPUT_LANG, choices=["zh", "en"], default=argparse.SUPPRESS,
                        help=_("language of messages, help and reports: zh (Simplified Chinese) or en (English); "
                               "default: from LANG / LC_ALL (the tokenizer's language is --text-lang)"))


def _all_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """`parser` and every subcommand parser below it (each once)."""
    found, todo = [], [parser]
    while todo:
        p = todo.pop(0)
        if any(p is q for q in found):
            continue
        found.append(p)
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(action.choices.values())
    return found


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = _Parser(prog="topiclens", description=_("TopicLens: exploratory topic analysis, headless."))
    parser.add_argument("--version", action="version", help=_("show program's version number and exit"),
                        version=f"topiclens {__version__}")  # i18n: skip (program name and version)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for p in _all_parsers(parser):
        add_lang_arg(p)
    return parser


def lang_from_argv(argv: list[str]) -> str | None:
    """The value of the last valid `--lang X` / `--lang=X` before a `--`, else None."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        else:
            continue
        if value in i18n.LANGUAGES:
            found = value
    return found


UNEXPECTED = N_("unexpected failure ({error})")
_OS_ERRORS = {  # the usual ones in the user's language; the rest as the system words them
    errno.ENOENT: N_("no such file or folder: {path}"),
    errno.EACCES: N_("permission denied: {path}"),
    errno.EPERM: N_("permission denied: {path}"),
    errno.EISDIR: N_("{path} is a folder, not a file"),
    errno.ENOTDIR: N_("not a folder: {path}"),
    errno.ENOSPC: N_("no space left on the device: {path}"),
    errno.EEXIST: N_("already exists: {path}"),
}


def os_error_text(exc: OSError) -> str:
    path = exc.filename
    template = _OS_ERRORS.get(exc.errno)
    if template is not None and exc.filename is not None:
        return _(template).format(path=path)
    return str(exc)


def _terminated(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    from core.cli.argparse_messages import translating_argparse

    if argv is None:   # the command itself (not a test calling main): SIGTERM ends it like Ctrl-C, so the
        signal.signal(signal.SIGTERM, _terminated)   # lease keeper records its running job as interrupted
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    with i18n.use_language(lang_from_argv(argv) or i18n.language_from_env()), translating_argparse():
        return _run(argv)


def _run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings.check()   # a bad TOPICLENS_* value stops every command with one line
        for name in settings.unknown():
            print(_("warning: {name} is not a TopicLens setting; ignored").format(name=name), file=sys.stderr)
        return int(args.func(args) or 0)
    except InputError as exc:
        print(error_line(i18n.translate_error(exc)), file=sys.stderr)
        return 2
    except Failure as exc:
        print(error_line(str(exc)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(error_line(_("interrupted")), file=sys.stderr)
        return 130
    except OSError as exc:
        print(error_line(os_error_text(exc)), file=sys.stderr)
        return 2
    except MemoryError:
        print(error_line(_("out of memory: try a smaller corpus, fewer --jobs or a smaller model")), file=sys.stderr)
        return 2
    except Exception as exc:  # a bug or an unforeseen failure: one line, no traceback (TOPICLENS_DEBUG=1 shows it)
        if settings.get("TOPICLENS_DEBUG"):
            raise
        detail = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        print(error_line(_(UNEXPECTED).format(error=detail)), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
