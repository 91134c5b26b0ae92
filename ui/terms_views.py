"""Rendering helpers for pages/terms.py: choosing the document of the Document view, and the
headers of the tables it shows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import terms as T
from core.i18n import _, format_int, pgettext

LIST_CAP = 200  # options in the document picker; the row number reaches every other document


def column_labels() -> dict[str, str]:
    """Column name -> header in the reader's language, for the tables of the Terms page (the
    ranking, a document's terms, the groups, the lookup and the concordance). English headers are
    the column names themselves; columns named after the corpus (its label column) are not here."""
    return {
        "rank": pgettext("terms column", "rank"),
        "term": pgettext("terms column", "term"),
        "mean": pgettext("terms column", "mean"),
        "max": pgettext("terms column", "max"),
        "sum": pgettext("terms column", "sum"),
        "df": pgettext("terms column", "df"),
        "count": pgettext("terms column", "count"),
        "idf": pgettext("terms column", "idf"),
        "weight": pgettext("terms column", "weight"),
        "group": pgettext("terms column", "group"),
        "score": pgettext("terms column", "score"),
        "count_in": pgettext("terms column", "count_in"),
        "docs_in": pgettext("terms column", "docs_in"),
        "row": pgettext("terms column", "row"),
        "tfidf": pgettext("terms column", "tfidf"),
        "text": pgettext("terms column", "text"),
        "left": pgettext("terms column", "left"),
        "keyword": pgettext("terms column", "keyword"),
        "right": pgettext("terms column", "right"),
    }


def translated_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with the headers the reader sees (cells untouched)."""
    labels = column_labels()
    return frame.rename(columns={c: labels[c] for c in frame.columns if c in labels})


def pick_document(texts: list[str]) -> int | None:
    """Search box + picker over the first LIST_CAP matches, and a row number that reaches any document."""
    c1, c2 = st.columns([3, 1])
    query = c1.text_input(_("Search documents"), key="terms_doc_query", persist_state="session", placeholder=_("a word from the text"))
    last = max(0, len(texts) - 1)
    typed = c2.number_input(_("…or row number (0–{last})").format(last=format_int(len(texts) - 1)), 0, last,
                            value=None, step=1, key="terms_doc_row", placeholder=_("any row"))
    if typed is not None:
        return int(typed)
    rows = T.find_documents(texts, query, limit=len(texts))
    if not rows:
        st.info(_("No document contains that text; clear or change the search."))
        return None
    row = st.selectbox(_("Document"), rows[:LIST_CAP], key=f"terms_doc::{query}",
                       format_func=lambda r: f"#{r} · {T.document_preview(texts[r])}")
    if len(rows) > LIST_CAP:
        st.caption(_("{n} documents match; the list shows the first {cap}. Refine the search, "
                     "or type a row number to open any document.").format(n=format_int(len(rows)), cap=LIST_CAP))
    return int(row)
