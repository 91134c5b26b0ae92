"""Rendering helpers for pages/terms.py: choosing the document of the Document view."""

from __future__ import annotations

import streamlit as st

from core import terms as T

LIST_CAP = 200  # options in the document picker; the row number reaches every other document


def pick_document(texts: list[str]) -> int | None:
    """Search box + picker over the first LIST_CAP matches, and a row number that reaches any document."""
    c1, c2 = st.columns([3, 1])
    query = c1.text_input("Search documents", key="terms_doc_query", placeholder="a word from the text")
    typed = c2.number_input(f"…or row number (0–{len(texts) - 1:,})", 0, max(0, len(texts) - 1), value=None,
                            step=1, key="terms_doc_row", placeholder="any row")
    if typed is not None:
        return int(typed)
    rows = T.find_documents(texts, query, limit=len(texts))
    if not rows:
        st.info("No document contains that text; clear or change the search.")
        return None
    row = st.selectbox("Document", rows[:LIST_CAP], key=f"terms_doc::{query}",
                       format_func=lambda r: f"#{r} · {texts[r][:80]}")
    if len(rows) > LIST_CAP:
        st.caption(f"{len(rows):,} documents match; the list shows the first {LIST_CAP}. Refine the search, "
                   "or type a row number to open any document.")
    return int(row)
