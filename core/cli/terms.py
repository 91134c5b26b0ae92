"""`topiclens terms FILE`: TF-IDF term ranking of the corpus, or per group with --group-col."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from core.cli.common import add_corpus_args, check_outputs, load_from_args
from core.errors import InputError
from core.export import write_table
from core.i18n import _, format_int, ngettext
from core.terms import (
    GROUP_METHODS, LOG_BASES, SCHEMES, SCORES, Scheme, TermSettings, build_term_matrix, group_terms, rank_terms,
)


def parse_ngram(text: str) -> tuple[int, int]:
    """"1-2" -> (1, 2); "2" -> (2, 2)."""
    try:
        lo, _dash, hi = str(text).partition("-")
        return int(lo), int(hi or lo)
    except ValueError:
        raise InputError("--ngram must look like 1, 1-2 or 1-3, got {value!r}.", value=text) from None


def parse_df(text: str) -> int | float:
    """An int is a number of documents, anything with a dot a fraction ("2" vs "0.5")."""
    try:
        return float(text) if "." in str(text) else int(text)
    except ValueError:
        raise InputError("document frequency must be an integer or a fraction, got {value!r}.", value=text) from None


def register(sub) -> None:
    p = sub.add_parser(
        "terms",
        help=_("TF-IDF term ranking (per group with --group-col)"),
        description=_("Rank terms by TF-IDF. Schemes: sklearn (raw tf, smoothed idf, L2), sublinear "
                      "(1+ln tf), textbook (TF=N(t,d)/N(d), IDF=log(N_D/N(t))+1, no smoothing or norm)."),
    )
    add_corpus_args(p)  # provides --label-col with --group-col as its alias
    p.add_argument("--top", type=int, default=20, help=_("terms to list (per group with --group-col)"))
    p.add_argument("--scheme", choices=SCHEMES, default="sklearn", help=_("TF-IDF weighting scheme"))
    p.add_argument("--log-base", choices=LOG_BASES, default="10", help=_("log base of the textbook IDF"))
    p.add_argument("--score", choices=SCORES, default="mean", help=_("corpus ranking score"))
    p.add_argument("--method", choices=GROUP_METHODS, default="ctfidf",
                   help=_("group comparison: class-based TF-IDF, or mean TF-IDF in group minus outside"))
    p.add_argument("--ngram", default="1", help=_("n-gram range, e.g. 1, 1-2, 1-3"))
    p.add_argument("--term-min-df", default="1", help=_("keep terms in at least this many documents (or fraction)"))
    p.add_argument("--term-max-df", default="1.0", help=_("keep terms in at most this share of documents (or count)"))
    p.add_argument("--max-features", type=int, default=None, help=_("keep only the most frequent terms"))
    p.add_argument("--out", help=_("write the ranking to this .csv or .xlsx instead of printing it"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_outputs(args, tables=("out",))
    lo, hi = parse_ngram(args.ngram)
    settings = TermSettings(lo, hi, parse_df(args.term_min_df), parse_df(args.term_max_df), args.max_features)
    scheme = Scheme(args.scheme, args.log_base)
    corpus, tokens = load_from_args(args)
    tm = build_term_matrix(tokens.docs, settings)
    if args.label_col:  # only when asked for: a detected label column alone does not switch to groups
        result = group_terms(tm, corpus.labels, args.method, scheme, args.top, labels_key=corpus.label_col)
        for warning in result.warnings:
            print(_("warning: {message}").format(message=_(warning)), file=sys.stderr)
        table: pd.DataFrame = result.table
    else:
        table = rank_terms(tm, scheme, args.score, args.top)
    if args.out:
        write_table(table, args.out)
        print(ngettext("wrote {n} row to {path}", "wrote {n} rows to {path}", len(table)).format(
            n=format_int(len(table)), path=args.out), file=sys.stderr)
    else:
        with pd.option_context("display.max_rows", None, "display.width", 200, "display.unicode.east_asian_width", True):
            print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return 0
