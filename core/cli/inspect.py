"""`topiclens inspect FILE`: the corpus summary as JSON."""

from __future__ import annotations

import json

from core.cli.common import add_corpus_args, load_options
from core.corpus import load_path, summarize
from core.i18n import _
from core.quality_rows import zero_width_count


def register(sub) -> None:
    p = sub.add_parser("inspect", help=_("print the corpus summary (rows, columns, encoding, quality) as JSON"),
                       description=_("Read a corpus file the way the dashboard does and print what was found "
                                     "(rows, columns, encoding, quality) as JSON."))
    add_corpus_args(p, tokens=False)
    p.set_defaults(func=run)


def run(args) -> int:
    corpus = load_path(args.file, load_options(args))
    summary = summarize(corpus)
    out = {
        "file": corpus.name, "format": corpus.file_format, "encoding": corpus.encoding,
        "delimiter": corpus.delimiter, "sheet": corpus.sheet, "sheets": corpus.sheet_names or None,
        "columns": corpus.columns, "text_col": corpus.text_col, "label_col": corpus.label_col,
        "date_col": corpus.date_col, "content_sha256": corpus.content_hash,
        **summary.as_dict(), "zero_width_chars": zero_width_count(corpus.frame[corpus.text_col].fillna("")), "dropped_empty": corpus.dropped_empty,
        "dropped_duplicates": corpus.dropped_duplicates, "warnings": corpus.warnings,
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0
