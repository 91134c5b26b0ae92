"""The Corpus page's read-option widgets and the `LoadOptions` they stand for, both ways.

The project stores the options a corpus was read with; opening a project puts them back into
these widgets (`widget_values`), so a re-read of its bytes uses its own choices, never those
of the project opened before.
"""

from __future__ import annotations

from typing import Any, Callable

from core.corpus import LoadOptions
from core.i18n import N_

ENCODINGS = ["auto", "utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "big5hkscs", "utf-16", "cp1252"]
# Keys are the widgets' values (English, saved with the project), shown translated.
HEADER = {N_("detect"): None, N_("first row is a header"): True, N_("first row is data (no header)"): False}
DELIMITERS = {N_("auto"): None, N_("comma ,"): ",", N_("tab"): "\t", N_("semicolon ;"): ";", N_("pipe |"): "|"}
KEYS = ("corpus_format", "corpus_encoding", "corpus_delimiter", "corpus_txt_mode", "corpus_drop_empty",
        "corpus_drop_dups", "corpus_header")


def _key_of(mapping: dict, value: Any) -> str:
    return next((k for k, v in mapping.items() if v == value), next(iter(mapping)))


def from_widgets(get: Callable[[str, Any], Any], sheet: str | None = None) -> LoadOptions:
    """The read options from the widgets' state (`get` as session_state.get: usable before they are drawn)."""
    enc = get("corpus_encoding", "auto")
    return LoadOptions(file_format=get("corpus_format", "auto"), encoding=None if enc == "auto" else enc,
                       delimiter=DELIMITERS.get(get("corpus_delimiter", "auto")), sheet=sheet,
                       txt_mode=get("corpus_txt_mode", "line"), drop_empty=bool(get("corpus_drop_empty", False)),
                       drop_duplicates=bool(get("corpus_drop_dups", False)),
                       header=HEADER.get(get("corpus_header", next(iter(HEADER)))))


def widget_values(options: LoadOptions) -> dict[str, Any]:
    """The widgets' values for stored read options (an encoding the list lacks reads as auto)."""
    return {"corpus_format": options.file_format, "corpus_encoding": options.encoding if options.encoding in ENCODINGS
            else "auto", "corpus_delimiter": _key_of(DELIMITERS, options.delimiter),
            "corpus_txt_mode": options.txt_mode, "corpus_drop_empty": bool(options.drop_empty),
            "corpus_drop_dups": bool(options.drop_duplicates), "corpus_header": _key_of(HEADER, options.header)}
