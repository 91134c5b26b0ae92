"""argparse's own words (usage, headings, its error messages), translated like ours.

argparse does `from gettext import gettext as _, ngettext` and looks both names up as module globals
when it needs a message, so `translating_argparse()` points them at TopicLens's catalog while the CLI
runs. The msgids below are exactly those Python 3.11's argparse.py passes to `_()` and `ngettext()`
(the ones a user can meet; errors only a programmer makes stay English). They are listed here only
so that Babel extracts them into the catalog.
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from typing import Iterator

from core import i18n
from core.i18n import N_

MESSAGES = (
    # help output
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("subcommands"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),   # a default argument there: passed explicitly (build_parser)
    # errors
    N_("argument %(argument_name)s: %(message)s"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("argument \"-\" with mode %r"),
    N_("can't open '%(filename)s': %(error)s"),
)


def _plural_messages() -> None:  # never called: marks argparse's ngettext() msgids for extraction
    i18n.ngettext("expected %s argument", "expected %s arguments", 2)


@contextmanager
def translating_argparse() -> Iterator[None]:
    """argparse speaks the active language inside this block (and gettext's English again after it)."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = i18n._, i18n.ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved
